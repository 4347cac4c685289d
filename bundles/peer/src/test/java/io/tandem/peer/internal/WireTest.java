package io.tandem.peer.internal;

import io.tandem.api.BootAck;
import io.tandem.api.BootHash;
import io.tandem.api.BootStart;
import io.tandem.api.ClusterHashNotice;
import io.tandem.api.ClusterHashes;
import io.tandem.api.AlertDigest;
import io.tandem.api.AlertKey;
import io.tandem.api.ClusterParameters;
import io.tandem.api.HashList;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.ViewProposal;
import io.tandem.peer.PeerSettings;
import io.tandem.peer.internal.Message.*;
import org.apache.mina.core.buffer.IoBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Every message type survives encode and decode; malformed payloads are violations with a reason. */
class WireTest {
    private static final byte[] A = filled(32, 1);
    private static final byte[] B = filled(32, 2);

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    /** Encodes a frame, checks its header, and decodes its payload again. */
    private static Message roundTrip(Message m) throws ProtocolViolation {
        IoBuffer frame = FrameCodec.encode(m);
        assertEquals('T', frame.get(0));
        assertEquals('N', frame.get(1));
        assertEquals(FrameCodec.VERSION, frame.get(2));
        assertEquals(m.type().code, frame.get(3) & 0xFF);
        assertEquals(frame.remaining() - 8, frame.getInt(4));
        frame.position(8);
        return Wire.decode(Message.Type.of(frame.get(3) & 0xFF), frame.buf().slice());
    }

    @Test
    void everyMessageTypeRoundTrips() throws Exception {
        Set<Message.Type> seen = EnumSet.noneOf(Message.Type.class);
        ClusterParameters params = new ClusterParameters(64, 3, "crc32", 80);

        Hello hello = (Hello) roundTrip(new Hello("leader-é", A));
        assertEquals("leader-é", hello.serverId());
        assertArrayEquals(A, hello.nonce());
        seen.add(hello.type());

        Login login = (Login) roundTrip(new Login("r2", "10.0.0.2", 65535, params, PeerSettings.MIN_FRAME_BYTES, A, B));
        assertEquals(List.of("r2", "10.0.0.2", 65535, params, PeerSettings.MIN_FRAME_BYTES),
                List.of(login.clientId(), login.listenHost(), login.listenPort(), login.parameters(), login.maxFrameBytes()));
        assertArrayEquals(A, login.nonce());
        assertArrayEquals(B, login.mac());
        seen.add(login.type());

        LoginOk ok = (LoginOk) roundTrip(new LoginOk(B, params, 1 << 30));
        assertArrayEquals(B, ok.proof());
        assertEquals(params, ok.parameters());
        assertEquals(1 << 30, ok.maxFrameBytes());
        seen.add(ok.type());

        assertEquals(new LoginRefused("no"), roundTrip(new LoginRefused("no")));
        assertEquals(new LoginRefused("a b " + "x".repeat(996)), roundTrip(new LoginRefused("a\r\nb\n" + "x".repeat(2000))), "one line, 1000 chars");
        seen.add(Message.Type.LOGIN_REFUSED);
        assertEquals(Heartbeat.INSTANCE, roundTrip(Heartbeat.INSTANCE));
        seen.add(Message.Type.HEARTBEAT);
        assertEquals(new PeerListRequest(-5), roundTrip(new PeerListRequest(-5)));
        seen.add(Message.Type.PEERLIST);
        PeerListAnswer list = new PeerListAnswer(3, List.of(new PeerAddress("r2", "127.0.0.1", 4000), new PeerAddress("r3", "::1", 1)));
        assertEquals(list, roundTrip(list));
        seen.add(list.type());

        PacketHash[] hashes = {new PacketHash(1, 2), new PacketHash(-1, Long.MIN_VALUE)};
        BootHashRequest boot = (BootHashRequest) roundTrip(new BootHashRequest(9, new BootHash(4, List.of("r1", "r2"), hashes, true, 1_234_567_890_123L)));
        assertEquals(9, boot.requestId());
        assertEquals(4, boot.boot().attempt());
        assertEquals(List.of("r1", "r2"), boot.boot().members());
        assertArrayEquals(hashes, boot.boot().hashes());
        assertTrue(boot.boot().join());
        seen.add(boot.type());

        BootAckAnswer ack = (BootAckAnswer) roundTrip(new BootAckAnswer(9, new BootAck(4, new long[] {-1, 7, Long.MAX_VALUE})));
        assertEquals(4, ack.ack().attempt());
        assertArrayEquals(new long[] {-1, 7, Long.MAX_VALUE}, ack.ack().positions());
        seen.add(ack.type());

        BootStartPush start = new BootStartPush(new BootStart(4, 2, List.of("r1", "r2", "r3"), 1L << 35, true));
        assertEquals(start, roundTrip(start));
        seen.add(start.type());
        assertEquals(new BootHashFatal("gave up"), roundTrip(new BootHashFatal("gave up")));
        seen.add(Message.Type.BOOTHASHFATAL);
        ViewPush view = new ViewPush(new ViewProposal(3, List.of("r1", "r3"), 1L << 33, 77, 12));
        assertEquals(view, roundTrip(view));
        seen.add(view.type());

        AlertsPush alerts = new AlertsPush(new AlertDigest(Long.MAX_VALUE, List.of(new AlertKey(1, 2029994, 0), new AlertKey(3, 1L << 40, 1L << 50)),
                List.of(new AlertKey(0, 77, -1), new AlertKey(1, 9, 12))));
        assertEquals(alerts, roundTrip(alerts));
        seen.add(alerts.type());

        ClusterHashPush chash = new ClusterHashPush(new ClusterHashNotice(1L << 40, 3, 560, 56, true, 504, new PacketHash(5, 6)));
        assertEquals(chash, roundTrip(chash));
        seen.add(chash.type());

        assertEquals(new GetClusterHashes(1, 2, 3), roundTrip(new GetClusterHashes(1, 2, 3)));
        seen.add(Message.Type.GETCLHASHES);
        ClusterHashesAnswer cl = (ClusterHashesAnswer) roundTrip(new ClusterHashesAnswer(1, new ClusterHashes(2, 3, 400, true,
                new HashList(new long[] {1, 2}, new long[] {3, 4}, new long[] {5, 6}))));
        assertEquals(List.of(2L, 3L, 400L, true), List.of(cl.hashes().round(), cl.hashes().epoch(), cl.hashes().alignedEnd(), cl.hashes().complete()));
        assertArrayEquals(new long[] {1, 2}, cl.hashes().hashes().hi());
        assertArrayEquals(new long[] {3, 4}, cl.hashes().hashes().lo());
        assertArrayEquals(new long[] {5, 6}, cl.hashes().hashes().original());
        seen.add(cl.type());

        GetPackets get = (GetPackets) roundTrip(new GetPackets(8, new long[] {0, 1, 1L << 50}));
        assertArrayEquals(new long[] {0, 1, 1L << 50}, get.originals());
        seen.add(get.type());

        Packet p = new Packet(1_700_000_000_123_456L, 1514, new byte[] {1, 2, 3});
        PacketsAnswer packets = (PacketsAnswer) roundTrip(new PacketsAnswer(8, new Packet[] {p, null, new Packet(0, 0, new byte[0])}));
        assertEquals(3, packets.packets().length);
        assertEquals(p.timestampMicros(), packets.packets()[0].timestampMicros());
        assertEquals(1514, packets.packets()[0].wireLength());
        assertArrayEquals(p.data(), packets.packets()[0].data());
        assertNull(packets.packets()[1]);
        assertEquals(0, packets.packets()[2].data().length);
        seen.add(packets.type());

        assertEquals(new ErrorAnswer(8, "nope"), roundTrip(new ErrorAnswer(8, "nope")));
        seen.add(Message.Type.ERROR);

        assertEquals(EnumSet.allOf(Message.Type.class), seen, "every type is covered");
    }

    @Test
    void entrySizesMatchTheEncoding() {
        Packet p = new Packet(1, 100, new byte[100]);
        int one = FrameCodec.encode(new PacketsAnswer(1, new Packet[] {p})).remaining();
        int two = FrameCodec.encode(new PacketsAnswer(1, new Packet[] {p, null})).remaining();
        assertEquals(FrameCodec.HEADER_BYTES + Wire.PACKETS_FIXED_BYTES + Wire.packetEntryBytes(p), one);
        assertEquals(one + Wire.packetEntryBytes(null), two);
        assertEquals(FrameCodec.HEADER_BYTES + Wire.GETPACKET_FIXED_BYTES + 16, FrameCodec.encode(new GetPackets(1, new long[2])).remaining());
        assertEquals(FrameCodec.HEADER_BYTES + Wire.CLHASHES_FIXED_BYTES + 2 * Wire.CLHASHES_ENTRY_BYTES,
                FrameCodec.encode(new ClusterHashesAnswer(1, new ClusterHashes(0, 0, 0, false,
                        new HashList(new long[2], new long[2], new long[2])))).remaining());
    }

    @Test
    void malformedPayloadsAreViolationsWithAReason() {
        // A count far beyond the payload must not allocate.
        ByteBuffer forged = ByteBuffer.allocate(8).putInt(1).putInt(Integer.MAX_VALUE).flip();
        ProtocolViolation v = assertThrows(ProtocolViolation.class, () -> Wire.decode(Message.Type.GETPACKET, forged));
        assertEquals("malformed getpacket payload: count 2147483647 does not fit in the 0 bytes left", v.reason());

        ByteBuffer extra = ByteBuffer.allocate(5).putInt(1).put((byte) 0).flip();
        v = assertThrows(ProtocolViolation.class, () -> Wire.decode(Message.Type.PEERLIST, extra));
        assertEquals("malformed peerlist payload: 1 bytes left over after the last field", v.reason());

        ByteBuffer flag = ByteBuffer.allocate(9).putInt(1).putInt(1).put((byte) 7).flip();
        v = assertThrows(ProtocolViolation.class, () -> Wire.decode(Message.Type.PACKETS, flag));
        assertTrue(v.reason().contains("flag byte 7"), v.reason());

        ByteBuffer utf8 = ByteBuffer.allocate(4).putShort((short) 2).put((byte) 0xC3).put((byte) 0x28).flip();
        v = assertThrows(ProtocolViolation.class, () -> Wire.decode(Message.Type.LOGIN_REFUSED, utf8));
        assertTrue(v.reason().contains("not valid UTF-8"), v.reason());

        ByteBuffer shortHello = ByteBuffer.allocate(3).putShort((short) 1).put((byte) 'x').flip();
        v = assertThrows(ProtocolViolation.class, () -> Wire.decode(Message.Type.HELLO, shortHello));
        assertEquals("malformed hello payload: cut short (3 bytes)", v.reason());

        IoBuffer small = FrameCodec.encode(new Login("r2", "h", 1, ClusterParameters.DEFAULTS, 1024, A, B));
        small.position(8);
        v = assertThrows(ProtocolViolation.class, () -> Wire.decode(Message.Type.LOGIN, small.buf().slice()));
        assertTrue(v.reason().contains("frame limit 1024 is below the minimum"), v.reason());

        // alert keys: no negative position but a history's marker (first of the reported keys), no watermark below -1
        IoBuffer negative = FrameCodec.encode(new AlertsPush(new AlertDigest(5, List.of(new AlertKey(1, 1, -1)), List.of())));
        negative.position(FrameCodec.HEADER_BYTES);
        v = assertThrows(ProtocolViolation.class, () -> Wire.decode(Message.Type.ALERTS, negative.buf().slice()));
        assertTrue(v.reason().contains("alert key position -1 < 0"), v.reason());
        IoBuffer lateMarker = FrameCodec.encode(new AlertsPush(new AlertDigest(5, List.of(), List.of(new AlertKey(1, 1, 3), new AlertKey(0, 1, -1)))));
        lateMarker.position(FrameCodec.HEADER_BYTES);
        v = assertThrows(ProtocolViolation.class, () -> Wire.decode(Message.Type.ALERTS, lateMarker.buf().slice()));
        assertTrue(v.reason().contains("alert key position -1 < 0"), v.reason());
        IoBuffer watermark = FrameCodec.encode(new AlertsPush(new AlertDigest(-7, List.of(), List.of())));
        watermark.position(FrameCodec.HEADER_BYTES);
        v = assertThrows(ProtocolViolation.class, () -> Wire.decode(Message.Type.ALERTS, watermark.buf().slice()));
        assertTrue(v.reason().contains("watermark -7 < -1"), v.reason());

        ByteBuffer badParams = ByteBuffer.wrap(RawFields.parameters(1, 1, "md5", 56));
        v = assertThrows(ProtocolViolation.class, () -> Wire.decode(Message.Type.LOGIN_OK, concat(new byte[32], badParams.array(), new byte[] {0, 32, 0, 0})));
        assertTrue(v.reason().contains("cluster.size must be 2..65536"), v.reason());
    }

    @Test
    void theProofsDependOnEveryInputAndOnTheDirection() {
        Auth auth = new Auth("k".getBytes());
        byte[] c = auth.clientMac(A, B, "r1", "r2");
        assertEquals(32, c.length);
        assertTrue(Auth.same(c, auth.clientMac(A, B, "r1", "r2")));
        assertFalse(Auth.same(c, auth.serverProof(A, B, "r1", "r2")), "a client MAC is no server proof");
        assertFalse(Auth.same(c, auth.clientMac(B, A, "r1", "r2")));
        assertFalse(Auth.same(c, auth.clientMac(A, B, "r1r", "2")));
        assertFalse(Auth.same(c, new Auth("K".getBytes()).clientMac(A, B, "r1", "r2")));
    }

    private static ByteBuffer concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) b.put(p);
        return b.flip();
    }

    /** Raw field bytes for forging payloads the encoder would refuse to write. */
    private static final class RawFields {
        static byte[] parameters(int k, int l, String hash, int snippet) {
            byte[] h = hash.getBytes();
            return ByteBuffer.allocate(4 + 4 + 2 + h.length + 4).putInt(k).putInt(l).putShort((short) h.length).put(h).putInt(snippet).array();
        }
    }
}
