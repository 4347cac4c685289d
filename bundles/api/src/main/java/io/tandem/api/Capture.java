package io.tandem.api;

/**
 * The capture side as the sync engine drives it: in mode 0 the sync thread calls it when a round needs packets
 * (thesis EnqueuePackets), in mode 1 the engine runs it on its own thread.
 */
@FunctionalInterface
public interface Capture {
    /** Captures up to {@code max} packets into the hash database; -1 once the source has ended. */
    int captureSome(int max) throws InterruptedException;
}
