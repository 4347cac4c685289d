package io.tandem.peer.internal;

/**
 * A peer replica in the registry. {@code in} is the connection the peer opened to us (its requests arrive
 * there), {@code out} the one we opened to it (our requests go there); {@code connecting} is an outgoing login
 * in progress, which stops a second one from being opened. Fields other than lastSeen are guarded by the
 * registry lock of {@link PeerNetwork}.
 */
final class Peer {
    final String id;
    String host;
    int port;
    SessionState in;
    SessionState out;
    SessionState connecting;
    /** Set when the peer is dropped; a later login from the same id creates a new entry. */
    boolean lost;
    volatile long lastSeenMillis;

    Peer(String id, String host, int port) {
        this.id = id;
        this.host = host;
        this.port = port;
        this.lastSeenMillis = System.currentTimeMillis();
    }

    boolean connected() {
        return in != null && out != null;
    }
}
