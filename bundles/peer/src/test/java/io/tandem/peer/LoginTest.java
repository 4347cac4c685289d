package io.tandem.peer;

import io.tandem.api.ClusterParameters;
import io.tandem.peer.internal.Auth;
import io.tandem.peer.internal.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tandem.peer.Cluster.WAIT_MS;
import static org.junit.jupiter.api.Assertions.*;

/** The login: mutual HMAC proof, parameter check, duplicate ids. */
class LoginTest {
    private final Cluster cluster = new Cluster();

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void aWrongSecretIsRefusedAndLoggedOnce() throws Exception {
        MinaConnectionManager r1 = cluster.leader("r1");
        int port = r1.listenAddress().getPort();
        try (LogCapture log = new LogCapture()) {
            MinaConnectionManager intruder = cluster.create(PeerSettings.builder("r2", "not the secret".getBytes(StandardCharsets.UTF_8))
                    .listen("127.0.0.1", 0).leader("127.0.0.1", port));
            IOException e = assertThrows(IOException.class, intruder::start);
            assertEquals("refused by r1 at 127.0.0.1:" + port + ": authentication failed", e.getMessage());
            assertNotNull(log.await(LogCapture.warn("r1: refused login of r2 from 127.0.0.1:", "authentication failed"), WAIT_MS));
            assertEquals(1, log.count(LogCapture.warn("authentication failed")));
        }
        assertTrue(r1.peers().isEmpty(), "nothing registered for a refused login");
        assertWellBehavedPeerJoins(r1, "r3");
    }

    @Test
    void differentClusterParametersAreRefusedWithTheDifferences() throws Exception {
        MinaConnectionManager r1 = cluster.leader("r1");
        int port = r1.listenAddress().getPort();
        MinaConnectionManager r2 = cluster.create(Cluster.settings("r2").leader("127.0.0.1", port).parameters(Cluster.params(8)));
        IOException e = assertThrows(IOException.class, r2::start);
        assertEquals("refused by r1 at 127.0.0.1:" + port + ": cluster parameters differ: cluster.size 56 vs 8", e.getMessage());

        MinaConnectionManager r3 = cluster.create(Cluster.settings("r3").leader("127.0.0.1", port)
                .parameters(new ClusterParameters(56, 2, "murmur3", 64)));
        e = assertThrows(IOException.class, r3::start);
        assertEquals("refused by r1 at 127.0.0.1:" + port + ": cluster parameters differ: anchor.size 4 vs 2, hash md5 vs murmur3, snippet 128 vs 64",
                e.getMessage());
        assertTrue(r1.peers().isEmpty());
        assertWellBehavedPeerJoins(r1, "r4");
    }

    @Test
    void aDuplicateReplicaIdIsRefused() throws Exception {
        MinaConnectionManager r1 = cluster.leader("r1");
        MinaConnectionManager r2 = cluster.join("r2", r1);
        assertTrue(r2.awaitPeers(1, WAIT_MS));
        MinaConnectionManager twin = cluster.create(Cluster.settings("r2").leader("127.0.0.1", r1.listenAddress().getPort()));
        IOException e = assertThrows(IOException.class, twin::start);
        assertTrue(e.getMessage().contains("replica id r2 is already logged in"), e.getMessage());
        assertTrue(r1.awaitPeers(1, WAIT_MS), "the first r2 stays connected");
        assertTrue(r1.peers().get(0).connected());

        MinaConnectionManager self = cluster.create(Cluster.settings("r1").leader("127.0.0.1", r1.listenAddress().getPort()));
        e = assertThrows(IOException.class, self::start);
        assertTrue(e.getMessage().contains("has this replica's own id r1"), e.getMessage());
    }

    @Test
    void aServerThatCannotProveTheSecretIsRejected() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Message> sawLogin = CompletableFuture.supplyAsync(() -> {
                try (Socket s = fake.accept(); RawPeer server = new RawPeer(s)) {
                    server.send(new Message.Hello("fake", Auth.nonce()));
                    Message login = server.read();
                    server.send(new Message.LoginOk(new byte[32], ClusterParameters.DEFAULTS, PeerSettings.DEFAULT_MAX_FRAME_BYTES));
                    server.awaitClosed();
                    return login;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            MinaConnectionManager r2 = cluster.create(Cluster.settings("r2").leader("127.0.0.1", fake.getLocalPort()));
            IOException e = assertThrows(IOException.class, r2::start);
            assertEquals("fake at 127.0.0.1:" + fake.getLocalPort() + " failed to prove the cluster secret", e.getMessage());
            Message.Login login = (Message.Login) sawLogin.get(WAIT_MS, TimeUnit.MILLISECONDS);
            assertEquals("r2", login.clientId());
            assertEquals(32, login.mac().length);
        }
    }

    @Test
    void anUnreachableLeaderFailsStart() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MinaConnectionManager r2 = cluster.create(Cluster.settings("r2").leader("127.0.0.1", port));
        IOException e = assertThrows(IOException.class, r2::start);
        assertTrue(e.getMessage().startsWith("cannot connect to 127.0.0.1:" + port), e.getMessage());
        assertThrows(IllegalStateException.class, r2::listenAddress, "a failed start leaves the manager closed");
    }

    @Test
    void startNeedsAHandler() {
        MinaConnectionManager m = new MinaConnectionManager(Cluster.settings("r1").build());
        IllegalStateException e = assertThrows(IllegalStateException.class, m::start);
        assertTrue(e.getMessage().contains("setHandler"));
        m.close();
    }

    private void assertWellBehavedPeerJoins(MinaConnectionManager leader, String id) throws Exception {
        MinaConnectionManager good = cluster.join(id, leader);
        assertTrue(good.awaitPeers(1, WAIT_MS));
        assertEquals(4, good.getClusterHashes(leader.localId(), 4, 0).get(WAIT_MS, TimeUnit.MILLISECONDS).round());
    }
}
