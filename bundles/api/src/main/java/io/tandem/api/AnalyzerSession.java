package io.tandem.api;

import java.io.IOException;

/**
 * One analyzer run over an aligned stream. The feeder calls {@link #analyze} from one thread, positions
 * increasing; a gap between positions means the feeder dropped those packets (counted, never silent).
 */
public interface AnalyzerSession extends AutoCloseable {

    /**
     * Analyzes the next packet. May block while the analyzer is busy (the feeder's queue absorbs it); never called
     * on the sync thread.
     *
     * @throws IOException when the analyzer died; the feeder reopens a session from {@link #completed()}
     */
    void analyze(long position, Packet packet) throws IOException, InterruptedException;

    /**
     * Every packet below this position has been analyzed and its alerts raised: the feeder may reclaim those
     * packets, and a reopened session starts here. Thread-safe.
     */
    long completed();

    /**
     * No more packets: returns once every packet fed has been analyzed and its alerts raised ({@link #completed()}
     * is then past the last one).
     */
    void finish() throws IOException, InterruptedException;

    /** Stops at once; alerts not yet raised are lost (the feeder replays from {@link #completed()} if reopened). */
    @Override
    void close();
}
