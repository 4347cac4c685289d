package io.tandem.peer;

import io.tandem.api.ClusterParameters;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Configuration of one replica's connection manager. Build with {@link #builder(String, byte[])} or the canonical
 * constructor; every value is checked here so that a bad configuration fails before anything is bound.
 *
 * @param localId              this replica's id (1..255 UTF-8 bytes, unique in the cluster)
 * @param listenHost           address the server binds; sent to peers for the reverse channel (a wildcard
 *                             address is replaced by the peer with the address it sees the connection from)
 * @param listenPort           server port, 0 for an ephemeral one
 * @param leaderHost           the leader to join, or null when this replica is the leader
 * @param leaderPort           the leader's port (ignored without a leader host)
 * @param secret               the cluster secret; required and non-empty, never sent
 * @param parameters           the cluster parameters, which every replica must share
 * @param maxFrameBytes        largest frame payload accepted from a peer (at least {@link #MIN_FRAME_BYTES})
 * @param writeQueueLimitBytes bytes queued for one peer above which it is considered not reading and dropped
 * @param heartbeatMillis      interval of heartbeats on each outgoing channel
 * @param requestTimeoutMillis how long a request, a connect or a login may take
 * @param peerTimeoutMillis    a peer whose channel to us carries nothing (not even heartbeats) this long is dropped
 */
public record PeerSettings(String localId, String listenHost, int listenPort, String leaderHost, int leaderPort,
                           byte[] secret, ClusterParameters parameters, int maxFrameBytes, long writeQueueLimitBytes,
                           long heartbeatMillis, long requestTimeoutMillis, long peerTimeoutMillis) {

    /** Smallest accepted frame limit: fits a boot hash of 65536 hashes and a 256 KiB captured packet. */
    public static final int MIN_FRAME_BYTES = 2 << 20;
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 << 20;
    public static final long DEFAULT_WRITE_QUEUE_LIMIT_BYTES = 64L << 20;
    public static final long DEFAULT_HEARTBEAT_MILLIS = 1000;
    public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 30000;
    /** The default peer timeout is this many heartbeat intervals. */
    public static final int DEFAULT_PEER_TIMEOUT_HEARTBEATS = 10;

    public PeerSettings {
        Objects.requireNonNull(localId, "localId");
        if (localId.isBlank()) throw new IllegalArgumentException("localId is empty");
        if (localId.getBytes(StandardCharsets.UTF_8).length > 255) throw new IllegalArgumentException("localId is over 255 bytes");
        if (listenHost == null || listenHost.isBlank()) throw new IllegalArgumentException("listenHost is empty");
        if (listenPort < 0 || listenPort > 65535) throw new IllegalArgumentException("listenPort must be 0..65535, not " + listenPort);
        if (leaderHost != null) {
            if (leaderHost.isBlank()) throw new IllegalArgumentException("leaderHost is blank (use null for no leader)");
            if (leaderPort < 1 || leaderPort > 65535) throw new IllegalArgumentException("leaderPort must be 1..65535, not " + leaderPort);
        }
        if (secret == null || secret.length == 0) throw new IllegalArgumentException("the cluster secret is required and must not be empty");
        secret = secret.clone();
        Objects.requireNonNull(parameters, "parameters");
        if (maxFrameBytes < MIN_FRAME_BYTES) throw new IllegalArgumentException("maxFrameBytes must be at least " + MIN_FRAME_BYTES + ", not " + maxFrameBytes);
        if (writeQueueLimitBytes < 1) throw new IllegalArgumentException("writeQueueLimitBytes must be positive, not " + writeQueueLimitBytes);
        if (heartbeatMillis < 10) throw new IllegalArgumentException("heartbeatMillis must be at least 10, not " + heartbeatMillis);
        if (requestTimeoutMillis < 1) throw new IllegalArgumentException("requestTimeoutMillis must be positive, not " + requestTimeoutMillis);
        if (peerTimeoutMillis < 2 * heartbeatMillis) {
            throw new IllegalArgumentException("peerTimeoutMillis (" + peerTimeoutMillis + ") must be at least twice heartbeatMillis (" + heartbeatMillis + ")");
        }
    }

    /** A builder with the defaults: listen on 0.0.0.0, ephemeral port, no leader, {@link ClusterParameters#DEFAULTS}. */
    public static Builder builder(String localId, byte[] secret) {
        return new Builder(localId, secret);
    }

    /** A copy of the secret (the record keeps its own). */
    @Override
    public byte[] secret() {
        return secret.clone();
    }

    public boolean hasLeader() {
        return leaderHost != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerSettings s && localId.equals(s.localId) && listenHost.equals(s.listenHost)
                && listenPort == s.listenPort && Objects.equals(leaderHost, s.leaderHost) && leaderPort == s.leaderPort
                && Arrays.equals(secret, s.secret) && parameters.equals(s.parameters) && maxFrameBytes == s.maxFrameBytes
                && writeQueueLimitBytes == s.writeQueueLimitBytes && heartbeatMillis == s.heartbeatMillis
                && requestTimeoutMillis == s.requestTimeoutMillis && peerTimeoutMillis == s.peerTimeoutMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(localId, listenHost, listenPort, leaderHost, leaderPort, Arrays.hashCode(secret), parameters,
                maxFrameBytes, writeQueueLimitBytes, heartbeatMillis, requestTimeoutMillis, peerTimeoutMillis);
    }

    /** Never shows the secret, only its length. */
    @Override
    public String toString() {
        return "PeerSettings[localId=" + localId + ", listen=" + listenHost + ":" + listenPort
                + ", leader=" + (leaderHost == null ? "none" : leaderHost + ":" + leaderPort)
                + ", secret=<" + secret.length + " bytes>, parameters=" + parameters + ", maxFrameBytes=" + maxFrameBytes
                + ", writeQueueLimitBytes=" + writeQueueLimitBytes + ", heartbeatMillis=" + heartbeatMillis
                + ", requestTimeoutMillis=" + requestTimeoutMillis + ", peerTimeoutMillis=" + peerTimeoutMillis + "]";
    }

    public static final class Builder {
        private final String localId;
        private final byte[] secret;
        private String listenHost = "0.0.0.0";
        private int listenPort;
        private String leaderHost;
        private int leaderPort;
        private ClusterParameters parameters = ClusterParameters.DEFAULTS;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private long writeQueueLimitBytes = DEFAULT_WRITE_QUEUE_LIMIT_BYTES;
        private long heartbeatMillis = DEFAULT_HEARTBEAT_MILLIS;
        private long requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MILLIS;
        private long peerTimeoutMillis = -1;

        private Builder(String localId, byte[] secret) {
            this.localId = localId;
            this.secret = secret == null ? null : secret.clone();
        }

        public Builder listen(String host, int port) {
            this.listenHost = host;
            this.listenPort = port;
            return this;
        }

        /** The leader to join; {@code null} host for none (this replica leads). */
        public Builder leader(String host, int port) {
            this.leaderHost = host;
            this.leaderPort = port;
            return this;
        }

        public Builder parameters(ClusterParameters parameters) {
            this.parameters = parameters;
            return this;
        }

        public Builder maxFrameBytes(int maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        public Builder writeQueueLimitBytes(long writeQueueLimitBytes) {
            this.writeQueueLimitBytes = writeQueueLimitBytes;
            return this;
        }

        public Builder heartbeatMillis(long heartbeatMillis) {
            this.heartbeatMillis = heartbeatMillis;
            return this;
        }

        public Builder requestTimeoutMillis(long requestTimeoutMillis) {
            this.requestTimeoutMillis = requestTimeoutMillis;
            return this;
        }

        /** Defaults to {@value PeerSettings#DEFAULT_PEER_TIMEOUT_HEARTBEATS} heartbeat intervals. */
        public Builder peerTimeoutMillis(long peerTimeoutMillis) {
            this.peerTimeoutMillis = peerTimeoutMillis;
            return this;
        }

        public PeerSettings build() {
            long peerTimeout = peerTimeoutMillis >= 0 ? peerTimeoutMillis : DEFAULT_PEER_TIMEOUT_HEARTBEATS * heartbeatMillis;
            return new PeerSettings(localId, listenHost, listenPort, leaderHost, leaderPort, secret, parameters,
                    maxFrameBytes, writeQueueLimitBytes, heartbeatMillis, requestTimeoutMillis, peerTimeout);
        }
    }
}
