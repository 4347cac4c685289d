package io.tandem.api;

/**
 * A peer replica as the connection manager knows it.
 *
 * @param id              replica id (unique in the cluster; replicas are ordered by it)
 * @param host            address the peer listens on
 * @param port            port the peer listens on
 * @param connected       both channels (ours to it, its reverse channel to us) are logged in
 * @param lastSeenMillis  wall-clock time of the last frame received from it
 */
public record PeerInfo(String id, String host, int port, boolean connected, long lastSeenMillis) {
}
