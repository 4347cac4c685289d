package io.tandem.sync.internal;

/**
 * The round cannot go on with the current members: a peer it needs is gone, or (peer null) a peer proposed a new
 * membership view. Either way the sync thread changes the view.
 */
public final class PeerLostException extends RuntimeException {
    private final String peer;

    public PeerLostException(String peer, String reason) {
        super(peer == null ? reason : "peer " + peer + " lost: " + reason);
        this.peer = peer;
    }

    /** The lost peer, or null when a view change was proposed by another member. */
    public String peer() {
        return peer;
    }
}
