package io.tandem.api;

/**
 * One open capture: the sync engine drives it as a {@link Capture}; status reads its {@link #stats()}. Closing
 * it closes the source; the database keeps what was registered.
 */
public interface CaptureSession extends Capture, AutoCloseable {

    /** One line saying what is captured, for logs and status. */
    String describe();

    /** The libpcap link type of the captured packets, for the analyzer. */
    int linkType();

    /** Counters so far; may be called from any thread. */
    CaptureStats stats();

    @Override
    void close();
}
