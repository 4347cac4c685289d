package io.tandem.api;

import java.util.concurrent.CompletableFuture;

/**
 * What a replica's sync engine answers when peers talk to it. Called on network threads: implementations
 * must not block; a request that cannot be answered yet returns a future completed later.
 */
public interface PeerRequestHandler {

    /** A peer pushed its cluster hash for a round ({@code chash}). */
    void onClusterHash(String peerId, ClusterHashNotice notice);

    /** {@code getclhashes}: completes once this replica has fixed its hashes for that round and epoch. */
    CompletableFuture<ClusterHashes> onGetClusterHashes(String peerId, long round, long epoch);

    /** {@code getpacket} (batched): the packets registered under these original numbers; null where not held. */
    Packet[] onGetPackets(String peerId, long[] originals);

    /** {@code boothash} from the leader: completes with this replica's ack once it has looked for the hashes. */
    CompletableFuture<BootAck> onBootHash(String peerId, BootHash boot);

    /** The leader's decision where the aligned stream starts. */
    void onBootStart(String peerId, BootStart start);

    /** {@code boothashfatal}: the leader could not bootstrap the cluster. */
    void onBootHashFatal(String peerId, String reason);

    /** A peer proposes the next membership view (after it lost a member). */
    default void onViewProposal(String peerId, ViewProposal proposal) {
    }

    /** A peer pushed its alert filter's digest. */
    default void onAlertDigest(String peerId, AlertDigest digest) {
    }

    /** A peer has both channels open: it joined, or came back after it was lost. */
    default void onPeerJoined(String peerId) {
    }

    /** A peer's channels closed (crash, network, or it left). */
    void onPeerLost(String peerId, String reason);
}
