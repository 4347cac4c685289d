package io.tandem.peer;

import io.tandem.api.ClusterHashes;
import io.tandem.api.ClusterParameters;
import io.tandem.api.PeerInfo;
import io.tandem.peer.internal.Auth;
import io.tandem.peer.internal.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tandem.peer.Cluster.WAIT_MS;
import static org.junit.jupiter.api.Assertions.*;

/** Logins both ways, the reverse channel, peerlist-driven meshes and peer loss. */
class MeshTest {
    private final Cluster cluster = new Cluster();

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void twoReplicasLogInBothWays() throws Exception {
        MinaConnectionManager r1 = cluster.leader("r1");
        MinaConnectionManager r2 = cluster.join("r2", r1);
        assertTrue(r1.awaitPeers(1, WAIT_MS), "r1 sees r2 connected both ways");
        assertTrue(r2.awaitPeers(1, WAIT_MS), "r2 sees r1 connected both ways");

        PeerInfo atR1 = r1.peers().get(0);
        assertEquals("r2", atR1.id());
        assertEquals("127.0.0.1", atR1.host());
        assertEquals(r2.listenAddress().getPort(), atR1.port(), "r1 learned r2's listen port from its login");
        assertTrue(atR1.connected());
        assertTrue(atR1.lastSeenMillis() > 0);
        PeerInfo atR2 = r2.peers().get(0);
        assertEquals("r1", atR2.id());
        assertEquals(r1.listenAddress().getPort(), atR2.port());
        assertTrue(atR2.connected());

        // Each side can send requests on its own channel.
        ClusterHashes fromR1 = r2.getClusterHashes("r1", 5, 1).get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals(5, fromR1.round());
        ClusterHashes fromR2 = r1.getClusterHashes("r2", 6, 2).get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals(6, fromR2.round());
        assertEquals(2, fromR2.epoch());
    }

    @Test
    void threeReplicasFormAFullMeshFromThePeerList() throws Exception {
        List<MinaConnectionManager> mesh = threeReplicaMesh();
        MinaConnectionManager r1 = mesh.get(0);
        MinaConnectionManager r2 = mesh.get(1);
        MinaConnectionManager r3 = mesh.get(2);
        assertEquals(List.of("r2", "r3"), ids(r1));
        assertEquals(List.of("r1", "r3"), ids(r2));
        assertEquals(List.of("r1", "r2"), ids(r3));
        assertEquals(3, r3.getClusterHashes("r2", 3, 0).get(WAIT_MS, TimeUnit.MILLISECONDS).round());
        assertEquals(4, r2.getClusterHashes("r3", 4, 0).get(WAIT_MS, TimeUnit.MILLISECONDS).round());
    }

    @Test
    void replicasJoiningAtTheSameTimeStillFormAFullMesh() throws Exception {
        MinaConnectionManager r1 = cluster.leader("r1");
        List<MinaConnectionManager> joiners = new ArrayList<>();
        for (int i = 2; i <= 5; i++) joiners.add(cluster.create(Cluster.settings("r" + i).leader("127.0.0.1", r1.listenAddress().getPort())));
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (MinaConnectionManager m : joiners) {
            starts.add(CompletableFuture.runAsync(() -> {
                try {
                    m.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<Void> s : starts) s.get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertTrue(r1.awaitPeers(4, WAIT_MS));
        for (MinaConnectionManager m : joiners) assertTrue(m.awaitPeers(4, WAIT_MS), m.localId() + " sees all four others");
    }

    @Test
    void closingAReplicaIsReportedOnceToEachPeer() throws Exception {
        List<MinaConnectionManager> mesh = threeReplicaMesh();
        MinaConnectionManager r1 = mesh.get(0);
        MinaConnectionManager r2 = mesh.get(1);
        MinaConnectionManager r3 = mesh.get(2);

        r3.close();
        for (String id : List.of("r1", "r2")) {
            RecordingHandler.Received<String> lost = cluster.handler(id).lost.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertNotNull(lost, id + " was told");
            assertEquals("r3", lost.peerId());
            assertTrue(lost.value().contains("r3"), lost.value());
        }
        // Both of r3's channels closed; the second close must not be reported again.
        Thread.sleep(300);
        assertTrue(cluster.handler("r1").lost.isEmpty());
        assertTrue(cluster.handler("r2").lost.isEmpty());
        assertTrue(cluster.handler("r3").lost.isEmpty(), "a closed manager calls its handler no more");
        assertEquals(List.of("r2"), ids(r1));
        assertEquals(List.of("r1"), ids(r2));
        assertTrue(r1.awaitPeers(1, WAIT_MS));
    }

    @Test
    void heartbeatsKeepLastSeenMoving() throws Exception {
        MinaConnectionManager r1 = cluster.start(Cluster.settings("r1").heartbeatMillis(50));
        MinaConnectionManager r2 = cluster.join("r2", r1, b -> b.heartbeatMillis(50));
        assertTrue(r1.awaitPeers(1, WAIT_MS));
        long first = r1.peers().get(0).lastSeenMillis();
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (r1.peers().get(0).lastSeenMillis() == first && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertTrue(r1.peers().get(0).lastSeenMillis() > first, "heartbeats from r2 update lastSeen at r1");
        assertTrue(r2.peers().get(0).connected());
    }

    @Test
    void aSilentPeerIsDroppedAfterThePeerTimeout() throws Exception {
        MinaConnectionManager r1 = cluster.start(Cluster.settings("r1").heartbeatMillis(50).peerTimeoutMillis(400));
        MinaConnectionManager r2 = cluster.join("r2", r1);
        assertTrue(r1.awaitPeers(1, WAIT_MS));
        // r2 beats only once a second (its default), far less often than r1's 400 ms timeout.
        RecordingHandler.Received<String> lost = cluster.handler("r1").lost.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        assertNotNull(lost);
        assertEquals("r2", lost.peerId());
        assertTrue(lost.value().contains("nothing received from r2"), lost.value());
        assertNotNull(cluster.handler("r2").lost.poll(WAIT_MS, TimeUnit.MILLISECONDS), "r2 sees its channels close too");
        assertTrue(r2.peers().isEmpty());
    }

    @Test
    void theReverseChannelGoesToTheAdvertisedPortAndTheSourceAddressForAWildcardHost() throws Exception {
        MinaConnectionManager r1 = cluster.leader("r1");
        try (ServerSocket listen = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             RawPeer raw = new RawPeer(r1.listenAddress().getPort())) {
            assertInstanceOf(Message.LoginOk.class, raw.login("raw", Cluster.SECRET, "0.0.0.0", listen.getLocalPort(), ClusterParameters.DEFAULTS));
            listen.setSoTimeout((int) WAIT_MS);
            try (RawPeer reverse = new RawPeer(listen.accept())) {
                // On the reverse channel r1 is the client end: it waits for our hello, then logs in.
                reverse.send(new Message.Hello("raw", Auth.nonce()));
                Message.Login login = (Message.Login) reverse.read();
                assertEquals("r1", login.clientId(), "r1 opened its reverse channel and logs in on it");
                assertEquals(r1.listenAddress().getPort(), login.listenPort());
                // Read while the reverse channel is still open: closing it makes r1 drop the peer.
                PeerInfo p = r1.peers().get(0);
                assertEquals("raw", p.id());
                assertEquals("127.0.0.1", p.host(), "the wildcard was replaced by the connection's source address");
                assertEquals(listen.getLocalPort(), p.port());
                assertFalse(p.connected(), "only one channel is logged in");
            }
        }
    }

    @Test
    void aPeerWhoseReverseChannelCannotBeOpenedIsDropped() throws Exception {
        MinaConnectionManager r1 = cluster.leader("r1");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (RawPeer raw = new RawPeer(r1.listenAddress().getPort())) {
            assertInstanceOf(Message.LoginOk.class, raw.login("raw", Cluster.SECRET, closedPort, ClusterParameters.DEFAULTS));
            assertTrue(raw.awaitClosed(), "without its reverse channel the peer is dropped");
        }
        RecordingHandler.Received<String> lost = cluster.handler("r1").lost.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals("raw", lost.peerId());
        assertTrue(lost.value().startsWith("cannot connect to 127.0.0.1:" + closedPort), lost.value());
        assertTrue(r1.peers().isEmpty());
    }

    @Test
    void closeStopsEveryThread() throws Exception {
        MinaConnectionManager a = cluster.leader("leak-a");
        MinaConnectionManager b = cluster.join("leak-b", a);
        assertTrue(b.awaitPeers(1, WAIT_MS));
        assertTrue(threads("tandem-leak-").size() > 0);
        cluster.close();
        // A pool thread may still be returning from its last task when close() returns; it must end promptly.
        long until = System.currentTimeMillis() + WAIT_MS;
        while (!threads("tandem-leak-").isEmpty() && System.currentTimeMillis() < until) Thread.sleep(10);
        assertEquals(List.of(), threads("tandem-leak-"), "close() stops every thread");
    }

    private static List<String> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).toList();
    }

    private static List<String> ids(MinaConnectionManager m) {
        return m.peers().stream().map(PeerInfo::id).toList();
    }

    /** r1 leads, r2 joins, then r3 joins through r1's peer list; returns once each sees both others. */
    private List<MinaConnectionManager> threeReplicaMesh() throws Exception {
        MinaConnectionManager r1 = cluster.leader("r1");
        MinaConnectionManager r2 = cluster.join("r2", r1);
        assertTrue(r2.awaitPeers(1, WAIT_MS));
        MinaConnectionManager r3 = cluster.join("r3", r1);
        for (MinaConnectionManager m : List.of(r1, r2, r3)) {
            assertTrue(m.awaitPeers(2, WAIT_MS), m.localId() + " sees both others");
        }
        return List.of(r1, r2, r3);
    }
}
