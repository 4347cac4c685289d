package io.tandem.peer;

import io.tandem.api.BootAck;
import io.tandem.api.BootHash;
import io.tandem.api.BootStart;
import io.tandem.api.ClusterHashNotice;
import io.tandem.api.ClusterHashes;
import io.tandem.api.ClusterParameters;
import io.tandem.api.ConnectionManager;
import io.tandem.api.Packet;
import io.tandem.api.PeerInfo;
import io.tandem.api.PeerRequestHandler;
import io.tandem.api.ViewProposal;
import io.tandem.api.AlertDigest;
import io.tandem.peer.internal.Message;
import io.tandem.peer.internal.PeerNetwork;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link ConnectionManager} over Apache MINA: TCP channels in both directions between every pair of
 * replicas, HMAC challenge-response login, and the binary protocol of docs/protocol.md.
 *
 * <p>Request futures fail with an {@link IOException} when the peer answers with an error or its channel is
 * closed or missing, and with a {@link java.util.concurrent.TimeoutException} after
 * {@link PeerSettings#requestTimeoutMillis()}. A failed {@link #start()} leaves the manager closed. After
 * {@link #close()} the handler is no longer called. {@link #close()} waits for the I/O threads to end, so it must
 * not be called from a handler callback (those run on I/O threads).
 */
public final class MinaConnectionManager implements ConnectionManager {
    private final PeerSettings settings;
    private final PeerNetwork net;

    public MinaConnectionManager(PeerSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.net = new PeerNetwork(settings);
    }

    public PeerSettings settings() {
        return settings;
    }

    @Override
    public String localId() {
        return settings.localId();
    }

    @Override
    public ClusterParameters parameters() {
        return settings.parameters();
    }

    @Override
    public void setHandler(PeerRequestHandler handler) {
        net.setHandler(handler);
    }

    @Override
    public void start() throws IOException {
        net.start();
    }

    @Override
    public InetSocketAddress listenAddress() {
        return net.listenAddress();
    }

    @Override
    public List<PeerInfo> peers() {
        return net.peers();
    }

    @Override
    public boolean awaitPeers(int count, long timeoutMillis) throws InterruptedException {
        return net.awaitPeers(count, timeoutMillis);
    }

    @Override
    public void sendClusterHash(String peerId, ClusterHashNotice notice) {
        Objects.requireNonNull(notice.hash(), "notice.hash");
        net.push(peerId, new Message.ClusterHashPush(notice));
    }

    @Override
    public CompletableFuture<ClusterHashes> getClusterHashes(String peerId, long round, long epoch) {
        return net.request(peerId, Message.Type.CLHASHES, id -> new Message.GetClusterHashes(id, round, epoch))
                .thenApply(m -> ((Message.ClusterHashesAnswer) m).hashes());
    }

    @Override
    public CompletableFuture<Packet[]> getPackets(String peerId, long[] originals) {
        return net.getPackets(peerId, originals);
    }

    @Override
    public CompletableFuture<BootAck> sendBootHash(String peerId, BootHash boot) {
        for (int i = 0; i < boot.hashes().length; i++) Objects.requireNonNull(boot.hashes()[i], "boot hash " + i);
        return net.request(peerId, Message.Type.BOOTACK, id -> new Message.BootHashRequest(id, boot))
                .thenApply(m -> ((Message.BootAckAnswer) m).ack());
    }

    @Override
    public void sendBootStart(String peerId, BootStart start) {
        net.push(peerId, new Message.BootStartPush(Objects.requireNonNull(start, "start")));
    }

    @Override
    public void sendBootHashFatal(String peerId, String reason) {
        net.push(peerId, new Message.BootHashFatal(String.valueOf(reason)));
    }

    @Override
    public void sendViewProposal(String peerId, ViewProposal proposal) {
        net.push(peerId, new Message.ViewPush(Objects.requireNonNull(proposal, "proposal")));
    }

    @Override
    public void sendAlertDigest(String peerId, AlertDigest digest) {
        net.push(peerId, new Message.AlertsPush(Objects.requireNonNull(digest, "digest")));
    }

    @Override
    public void close() {
        net.close();
    }

    @Override
    public String toString() {
        return "MinaConnectionManager[" + settings.localId() + "]";
    }
}
