package io.tandem.peer.internal.osgi;

import io.tandem.api.ClusterParameters;
import io.tandem.peer.PeerSettings;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The keys of config pid {@code io.tandem.peer} (see etc/io.tandem.peer.cfg). {@link #toString()} never shows
 * the secret.
 */
record PeerConfig(String id, String secret, String listenHost, int listenPort, String leaderHost, int leaderPort,
                  int heartbeat, int requestTimeout, int peerTimeout) {
    static final String PID = "io.tandem.peer";
    static final int DEFAULT_PORT = 4000;

    /** @throws IllegalArgumentException naming the bad key and value (never the secret's value) */
    static PeerConfig parse(Map<String, ?> props) {
        String id = text(props, "replica.id", hostName());
        int heartbeat = number(props, "heartbeat", (int) PeerSettings.DEFAULT_HEARTBEAT_MILLIS, 10, 600_000);
        PeerConfig c = new PeerConfig(id, text(props, "secret", ""), text(props, "listen.host", "127.0.0.1"),
                number(props, "listen.port", DEFAULT_PORT, 0, 65535), text(props, "leader.host", ""),
                number(props, "leader.port", DEFAULT_PORT, 1, 65535), heartbeat,
                number(props, "request.timeout", (int) PeerSettings.DEFAULT_REQUEST_TIMEOUT_MILLIS, 1, 3_600_000),
                number(props, "peer.timeout", PeerSettings.DEFAULT_PEER_TIMEOUT_HEARTBEATS * heartbeat, 1, 3_600_000));
        if (id.getBytes(StandardCharsets.UTF_8).length > 255) throw new IllegalArgumentException("replica.id=" + id + ": longer than 255 bytes");
        if (c.peerTimeout < 2 * heartbeat) {
            throw new IllegalArgumentException("peer.timeout=" + c.peerTimeout + ": must be at least twice heartbeat (" + heartbeat + ")");
        }
        return c;
    }

    boolean hasSecret() {
        return !secret.isEmpty();
    }

    boolean leader() {
        return leaderHost.isEmpty();
    }

    PeerSettings settingsFor(ClusterParameters p) {
        return PeerSettings.builder(id, secret.getBytes(StandardCharsets.UTF_8))
                .listen(listenHost, listenPort)
                .leader(leader() ? null : leaderHost, leaderPort)
                .parameters(p)
                .heartbeatMillis(heartbeat).requestTimeoutMillis(requestTimeout).peerTimeoutMillis(peerTimeout)
                .build();
    }

    @Override
    public String toString() {
        return "replica.id=" + id + " listen=" + listenHost + ":" + listenPort
                + " leader=" + (leader() ? "none (this replica leads)" : leaderHost + ":" + leaderPort);
    }

    private static String text(Map<String, ?> props, String key, String fallback) {
        Object v = props.get(key);
        return v == null || v.toString().isBlank() ? fallback : v.toString().trim();
    }

    private static int number(Map<String, ?> props, String key, int fallback, int min, int max) {
        String v = text(props, key, "");
        if (v.isEmpty()) return fallback;
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + "=" + v + ": must be a whole number " + min + ".." + max);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "replica";
        }
    }
}
