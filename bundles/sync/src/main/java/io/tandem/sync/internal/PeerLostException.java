package io.tandem.sync.internal;

/** A peer the round needs is gone. */
public final class PeerLostException extends RuntimeException {
    public PeerLostException(String peer, String reason) {
        super("peer " + peer + " lost: " + reason);
    }
}
