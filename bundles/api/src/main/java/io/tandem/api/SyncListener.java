package io.tandem.api;

import java.util.List;

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

    /** A membership view was agreed: these members (this replica included) deliver the stream from now on. */
    default void onView(long view, List<String> members) {
    }

    /** The source ended and every packet of the aligned stream has been delivered. */
    default void onEnd() {
    }
}
