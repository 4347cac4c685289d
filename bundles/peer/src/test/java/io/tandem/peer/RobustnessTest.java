package io.tandem.peer;

import io.tandem.peer.internal.FrameCodec;

import io.tandem.api.ClusterParameters;
import io.tandem.api.Packet;
import io.tandem.peer.internal.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static io.tandem.peer.Cluster.WAIT_MS;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad bytes on the peer port: each is logged once with the remote address and closes that connection only;
 * afterwards the server still accepts and serves a well-behaved peer.
 */
class RobustnessTest {
    private final Cluster cluster = new Cluster();
    private MinaConnectionManager server;
    private int port;
    private LogCapture log;
    private int goodPeers;

    @BeforeEach
    void start() throws Exception {
        server = cluster.leader("r1");
        port = server.listenAddress().getPort();
        log = new LogCapture();
    }

    @AfterEach
    void close() {
        log.close();
        cluster.close();
    }

    @Test
    void badMagicClosesTheConnection() throws Exception {
        try (RawPeer raw = new RawPeer(port)) {
            raw.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertRejected(raw, "bad magic 0x4745");
        }
    }

    @Test
    void anUnsupportedVersionClosesTheConnection() throws Exception {
        try (RawPeer raw = new RawPeer(port)) {
            raw.write(RawPeer.header(1, Message.Type.LOGIN.code, 10));
            assertRejected(raw, "unsupported protocol version 1 (this replica speaks " + FrameCodec.VERSION + ")");
        }
    }

    @Test
    void anUnknownMessageTypeClosesTheConnection() throws Exception {
        try (RawPeer raw = new RawPeer(port)) {
            raw.write(RawPeer.header(FrameCodec.VERSION, 0x7E, 0));
            assertRejected(raw, "unknown message type 0x7e");
        }
    }

    @Test
    void aFrameOverTheLimitIsRefusedFromItsHeaderAlone() throws Exception {
        try (RawPeer raw = new RawPeer(port)) {
            // Only the header is sent: the server must not wait for (nor allocate) four gigabytes.
            raw.write(RawPeer.header(FrameCodec.VERSION, Message.Type.LOGIN.code, 0xFFFFFFFFL));
            assertRejected(raw, "login frame of 4294967295 bytes is over the limit of 16777216 bytes");
        }
    }

    @Test
    void aTruncatedFrameThenCloseHarmsNothing() throws Exception {
        try (RawPeer raw = new RawPeer(port)) {
            assertInstanceOf(Message.Hello.class, raw.read());
            raw.write(RawPeer.header(FrameCodec.VERSION, Message.Type.LOGIN.code, 100));
            raw.write(new byte[10]);
        }
        assertServesWellBehavedPeer();
        assertEquals(0, log.count(line -> line.contains("WARN") && line.contains("connection from")), "a peer hanging up mid-frame is no violation");
    }

    @Test
    void aMalformedLoginClosesTheConnection() throws Exception {
        try (RawPeer raw = new RawPeer(port)) {
            assertInstanceOf(Message.Hello.class, raw.read());
            byte[] id = "r9".getBytes(StandardCharsets.UTF_8);
            // A login frame that holds the client id and nothing else.
            byte[] payload = ByteBuffer.allocate(2 + id.length).putShort((short) id.length).put(id).array();
            raw.write(RawPeer.header(FrameCodec.VERSION, Message.Type.LOGIN.code, payload.length));
            raw.write(payload);
            assertRejected(raw, "malformed login payload: cut short (4 bytes)");
        }
    }

    @Test
    void anyFrameBeforeLoginClosesTheConnection() throws Exception {
        try (RawPeer raw = new RawPeer(port)) {
            assertInstanceOf(Message.Hello.class, raw.read());
            raw.send(new Message.PeerListRequest(1));
            assertRejected(raw, "peerlist before login");
        }
    }

    @Test
    void aClientSendingServerMessagesIsClosed() throws Exception {
        try (RawPeer raw = new RawPeer(port)) {
            raw.send(new Message.Hello("r9", new byte[32]));
            assertRejected(raw, "unexpected hello from the client end");
        }
    }

    @Test
    void aLoginSentOneByteAtATimeIsDecoded() throws Exception {
        try (ServerSocket reverse = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             RawPeer raw = new RawPeer(port)) {
            Message.Hello hello = (Message.Hello) raw.read();
            byte[] nonce = io.tandem.peer.internal.Auth.nonce();
            byte[] mac = new io.tandem.peer.internal.Auth(Cluster.SECRET).clientMac(hello.nonce(), nonce, "r1", "raw");
            byte[] login = RawPeer.frame(new Message.Login("raw", "127.0.0.1", reverse.getLocalPort(), ClusterParameters.DEFAULTS,
                    PeerSettings.MIN_FRAME_BYTES, nonce, mac));
            for (byte b : login) raw.write(new byte[] {b});
            assertInstanceOf(Message.LoginOk.class, raw.read());
            raw.send(new Message.PeerListRequest(77));
            Message.PeerListAnswer answer = (Message.PeerListAnswer) raw.read();
            assertEquals(77, answer.requestId());
            assertTrue(answer.peers().isEmpty(), "the asker is not listed to itself");
        }
    }

    @Test
    void aPeerThatDoesNotReadIsDisconnected() throws Exception {
        MinaConnectionManager small = cluster.start(Cluster.settings("s1").writeQueueLimitBytes(256 << 10));
        Packet[] batch = new Packet[100];
        for (int i = 0; i < batch.length; i++) batch[i] = new Packet(i, 1400, new byte[1400]);
        cluster.handler("s1").packetsAnswer = (peer, originals) -> batch;
        long[] originals = new long[100];

        try (ServerSocket reverse = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             RawPeer raw = new RawPeer(small.listenAddress().getPort())) {
            assertInstanceOf(Message.LoginOk.class, raw.login("slow", Cluster.SECRET, reverse.getLocalPort(), ClusterParameters.DEFAULTS));
            // 140 KB answers, never read: the kernel buffers fill, then the server's queue passes 256 KiB.
            try {
                for (int i = 1; i <= 2000 && log.count(LogCapture.warn("is not reading")) == 0; i++) {
                    raw.send(new Message.GetPackets(i, originals));
                }
            } catch (IOException e) {
                // the server already hung up
            }
            String line = log.await(LogCapture.warn("peer slow is not reading:", "bytes queued over the 256 KiB limit"), WAIT_MS);
            assertNotNull(line, "the slow peer is named with its queue and the limit");
            assertTrue(line.contains("127.0.0.1:" + raw.localPort()), line);
            assertTrue(raw.awaitClosed());
        }
        assertEquals(1, log.count(LogCapture.warn("is not reading")));
        MinaConnectionManager good = cluster.join("good", small);
        assertTrue(good.awaitPeers(1, WAIT_MS));
        assertEquals(100, good.getPackets("s1", originals).get(WAIT_MS, TimeUnit.MILLISECONDS).length);
    }

    /** The server closed the connection, logged one warn line naming the client's address, and still works. */
    private void assertRejected(RawPeer raw, String reason) throws Exception {
        assertTrue(raw.awaitClosed(), "the server closes the connection");
        String where = "127.0.0.1:" + raw.localPort();
        assertNotNull(log.await(LogCapture.warn(where, reason), WAIT_MS), "one warn line with " + where + " and " + reason);
        assertEquals(1, log.count(LogCapture.warn(reason)));
        assertServesWellBehavedPeer();
    }

    private void assertServesWellBehavedPeer() throws Exception {
        MinaConnectionManager good = cluster.join("good" + (++goodPeers), server);
        assertTrue(good.awaitPeers(1, WAIT_MS));
        assertEquals(8, good.getClusterHashes("r1", 8, 0).get(WAIT_MS, TimeUnit.MILLISECONDS).round());
    }
}
