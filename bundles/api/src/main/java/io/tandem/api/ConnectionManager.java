package io.tandem.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The connection manager: this replica's channels to its peers and the requests of thesis Table 1.
 *
 * <p>Every pair of replicas has two TCP connections: each side logs in to the other's server (the second one is
 * the thesis's reverse channel, opened by the side that accepted a login). Requests and pushes go out on the
 * channel this replica opened; answers come back on it. Login proves knowledge of the cluster secret by
 * HMAC challenge-response; the secret never crosses the wire. A peer with other {@link ClusterParameters} is
 * refused with the reason.
 *
 * <p>Request futures complete exceptionally on timeout or when the peer's channel closes.
 */
public interface ConnectionManager extends AutoCloseable {

    String localId();

    ClusterParameters parameters();

    /** Sets who answers peers' requests; must be set before {@link #start()}. */
    void setHandler(PeerRequestHandler handler);

    /**
     * Binds the server; if a leader address is configured, logs in to it, fetches its peer list and logs in to
     * every peer on it ({@code login}, {@code peerlist}).
     */
    void start() throws IOException;

    /** Where the server listens (the real port when configured with port 0). */
    InetSocketAddress listenAddress();

    /** Peers known now, sorted by id. */
    List<PeerInfo> peers();

    /** Waits until at least {@code count} peers are connected both ways; false on timeout. */
    boolean awaitPeers(int count, long timeoutMillis) throws InterruptedException;

    /** {@code chash}: pushes this replica's cluster hash to one peer. Never blocks. */
    void sendClusterHash(String peerId, ClusterHashNotice notice);

    /** {@code getclhashes}. */
    CompletableFuture<ClusterHashes> getClusterHashes(String peerId, long round, long epoch);

    /** {@code getpacket}, batched: the answer has one entry per original number, null where the peer holds none. */
    CompletableFuture<Packet[]> getPackets(String peerId, long[] originals);

    /** {@code boothash} (leader only). */
    CompletableFuture<BootAck> sendBootHash(String peerId, BootHash boot);

    /** Tells a peer where the aligned stream starts (leader only). */
    void sendBootStart(String peerId, BootStart start);

    /** {@code boothashfatal} (leader only). */
    void sendBootHashFatal(String peerId, String reason);

    /** Pushes a membership view proposal to one peer. Never blocks. */
    void sendViewProposal(String peerId, ViewProposal proposal);

    /** Pushes this replica's alert digest to one peer ({@code alerts}). Never blocks. */
    void sendAlertDigest(String peerId, AlertDigest digest);

    @Override
    void close();
}
