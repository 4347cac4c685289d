package io.tandem.api;

/**
 * Receives the aligned stream of one replica: the same packets, in the same order, at every replica.
 * Called on the sync thread; implementations return quickly (a slow analyzer buffers on its own side).
 */
public interface SyncListener {

    /** The packet at {@code position} of the aligned stream (positions count from bootstrap, from 0, without gaps). */
    void onDelivered(long position, PacketHash hash, Packet packet);

    /** A round ended with this outcome. */
    default void onRound(long round, RoundOutcome outcome) {
    }

    /** The source ended and every packet of the aligned stream has been delivered. */
    default void onEnd() {
    }
}
