package io.tandem.peer.internal;

import io.tandem.api.BootAck;
import io.tandem.api.BootHash;
import io.tandem.api.BootStart;
import io.tandem.api.ClusterHashNotice;
import io.tandem.api.ClusterHashes;
import io.tandem.api.ClusterParameters;
import io.tandem.api.HashList;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.ViewProposal;
import io.tandem.api.AlertDigest;
import io.tandem.api.AlertKey;
import io.tandem.peer.PeerSettings;
import io.tandem.peer.internal.Message.*;
import org.apache.mina.core.buffer.IoBuffer;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Payload layouts of every message type (docs/protocol.md is the reference; keep both in step). Integers are
 * big-endian; strings are a u16 byte count and UTF-8; hashes are always 16 bytes (hi then lo), whatever the
 * hash function's length, so the layout does not depend on the cluster parameters.
 */
public final class Wire {
    public static final int NONCE_BYTES = 32;
    public static final int MAC_BYTES = 32;
    public static final int HASH_BYTES = 16;
    /** Reasons and error messages are cut to this many characters: they are meant for one log line. */
    public static final int MAX_TEXT_CHARS = 1000;

    /** Fixed bytes of a {@code packets} answer before its entries: request id and entry count. */
    public static final int PACKETS_FIXED_BYTES = 8;
    /** Fixed bytes of a {@code getpacket} request before its originals. */
    public static final int GETPACKET_FIXED_BYTES = 8;
    /** Fixed bytes of a {@code clhashes} answer before its entries. */
    public static final int CLHASHES_FIXED_BYTES = 4 + 8 + 8 + 8 + 1 + 4;
    /** Bytes of one {@code clhashes} entry: hash and original number. */
    public static final int CLHASHES_ENTRY_BYTES = HASH_BYTES + 8;

    private Wire() {
    }

    /** Bytes one {@code packets} entry takes: the found flag, and the record when found. */
    public static int packetEntryBytes(Packet p) {
        return p == null ? 1 : 1 + 8 + 4 + 4 + p.data().length;
    }

    // ---------------------------------------------------------------- encoding

    /** Appends the payload of {@code m} to {@code out} (an auto-expanding buffer). */
    public static void writePayload(Message m, IoBuffer out) {
        switch (m.type()) {
            case HELLO -> {
                Hello h = (Hello) m;
                putString(out, h.serverId());
                putFixed(out, h.nonce(), NONCE_BYTES);
            }
            case LOGIN -> {
                Login l = (Login) m;
                putString(out, l.clientId());
                putString(out, l.listenHost());
                out.putShort((short) l.listenPort());
                putParameters(out, l.parameters());
                out.putInt(l.maxFrameBytes());
                putFixed(out, l.nonce(), NONCE_BYTES);
                putFixed(out, l.mac(), MAC_BYTES);
            }
            case LOGIN_OK -> {
                LoginOk ok = (LoginOk) m;
                putFixed(out, ok.proof(), MAC_BYTES);
                putParameters(out, ok.parameters());
                out.putInt(ok.maxFrameBytes());
            }
            case LOGIN_REFUSED -> putText(out, ((LoginRefused) m).reason());
            case HEARTBEAT -> {
                // no payload: the frame itself is the sign of life
            }
            case PEERLIST -> out.putInt(((PeerListRequest) m).requestId());
            case PEERLIST_ANSWER -> {
                PeerListAnswer a = (PeerListAnswer) m;
                out.putInt(a.requestId());
                out.putShort((short) a.peers().size());
                for (PeerAddress p : a.peers()) {
                    putString(out, p.id());
                    putString(out, p.host());
                    out.putShort((short) p.port());
                }
            }
            case BOOTHASH -> {
                BootHashRequest r = (BootHashRequest) m;
                out.putInt(r.requestId());
                out.putInt(r.boot().attempt());
                putStrings(out, r.boot().members());
                PacketHash[] hashes = r.boot().hashes();
                out.putInt(hashes.length);
                for (PacketHash h : hashes) putHash(out, h);
                out.put((byte) (r.boot().join() ? 1 : 0));
                out.putLong(r.boot().untilMicros());
            }
            case BOOTACK -> {
                BootAckAnswer a = (BootAckAnswer) m;
                out.putInt(a.requestId());
                out.putInt(a.ack().attempt());
                long[] positions = a.ack().positions();
                out.putInt(positions.length);
                for (long p : positions) out.putLong(p);
            }
            case BOOTSTART -> {
                BootStart s = ((BootStartPush) m).start();
                out.putInt(s.attempt());
                out.putInt(s.index());
                putStrings(out, s.members());
                out.putLong(s.position());
                out.put((byte) (s.join() ? 1 : 0));
            }
            case BOOTHASHFATAL -> putText(out, ((BootHashFatal) m).reason());
            case VIEW -> {
                ViewProposal v = ((ViewPush) m).proposal();
                out.putLong(v.view());
                putStrings(out, v.members());
                out.putLong(v.alignedEnd());
                out.putLong(v.round());
                out.putLong(v.epoch());
            }
            case ALERTS -> {
                AlertDigest d = ((AlertsPush) m).digest();
                out.putLong(d.analyzedUpTo());
                putAlertKeys(out, d.raised());
                putAlertKeys(out, d.reported());
            }
            case CHASH -> {
                ClusterHashNotice n = ((ClusterHashPush) m).notice();
                out.putLong(n.round());
                out.putLong(n.epoch());
                out.putLong(n.from());
                out.putInt(n.count());
                out.put((byte) (n.sourceEnded() ? 1 : 0));
                out.putLong(n.alignedEnd());
                putHash(out, n.hash());
            }
            case GETCLHASHES -> {
                GetClusterHashes r = (GetClusterHashes) m;
                out.putInt(r.requestId());
                out.putLong(r.round());
                out.putLong(r.epoch());
            }
            case CLHASHES -> {
                ClusterHashesAnswer a = (ClusterHashesAnswer) m;
                ClusterHashes c = a.hashes();
                out.putInt(a.requestId());
                out.putLong(c.round());
                out.putLong(c.epoch());
                out.putLong(c.alignedEnd());
                out.put((byte) (c.complete() ? 1 : 0));
                HashList l = c.hashes();
                out.putInt(l.size());
                for (int i = 0; i < l.size(); i++) {
                    out.putLong(l.hi()[i]);
                    out.putLong(l.lo()[i]);
                    out.putLong(l.original()[i]);
                }
            }
            case GETPACKET -> {
                GetPackets r = (GetPackets) m;
                out.putInt(r.requestId());
                out.putInt(r.originals().length);
                for (long o : r.originals()) out.putLong(o);
            }
            case PACKETS -> {
                PacketsAnswer a = (PacketsAnswer) m;
                out.putInt(a.requestId());
                out.putInt(a.packets().length);
                for (Packet p : a.packets()) {
                    if (p == null) {
                        out.put((byte) 0);
                    } else {
                        out.put((byte) 1);
                        out.putLong(p.timestampMicros());
                        out.putInt(p.wireLength());
                        out.putInt(p.data().length);
                        out.put(p.data());
                    }
                }
            }
            case ERROR -> {
                ErrorAnswer e = (ErrorAnswer) m;
                out.putInt(e.requestId());
                putText(out, e.message());
            }
        }
    }

    private static void putString(IoBuffer out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) throw new IllegalArgumentException("string of " + b.length + " bytes is over 65535");
        out.putShort((short) b.length);
        out.put(b);
    }

    /** Free text (reasons, error messages): one line, at most {@link #MAX_TEXT_CHARS} characters. */
    private static void putText(IoBuffer out, String s) {
        putString(out, oneLine(s));
    }

    /** {@code s} as one line of at most {@link #MAX_TEXT_CHARS} characters ("null" for null). */
    public static String oneLine(String s) {
        String line = String.valueOf(s).replaceAll("[\\r\\n]+", " ");
        return line.length() > MAX_TEXT_CHARS ? line.substring(0, MAX_TEXT_CHARS) : line;
    }

    private static void putStrings(IoBuffer out, List<String> list) {
        if (list.size() > 0xFFFF) throw new IllegalArgumentException(list.size() + " strings are over 65535");
        out.putShort((short) list.size());
        for (String s : list) putString(out, s);
    }

    private static void putAlertKeys(IoBuffer out, List<AlertKey> keys) {
        out.putInt(keys.size());
        for (AlertKey k : keys) {
            out.putInt(k.gid());
            out.putLong(k.sid());
            out.putLong(k.position());
        }
    }

    /**
     * Alert keys; positions are never negative, except that the first key of a {@code reported} list may be the
     * history marker at position -1 (docs/alerts.md).
     */
    private static List<AlertKey> alertKeys(Reader r, boolean markerAllowed) {
        AlertKey[] keys = new AlertKey[r.count(20)];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new AlertKey(r.i32(), r.i64(), r.i64());
            long p = keys[i].position();
            if (p < 0 && !(p == -1 && i == 0 && markerAllowed)) throw new IllegalArgumentException("alert key position " + p + " < 0");
        }
        return List.of(keys);
    }

    private static AlertDigest alertDigest(Reader r) {
        long analyzedUpTo = r.i64();
        if (analyzedUpTo < -1) throw new IllegalArgumentException("alert digest watermark " + analyzedUpTo + " < -1");
        return new AlertDigest(analyzedUpTo, alertKeys(r, false), alertKeys(r, true));
    }

    private static void putFixed(IoBuffer out, byte[] b, int length) {
        if (b.length != length) throw new IllegalArgumentException("expected " + length + " bytes, not " + b.length);
        out.put(b);
    }

    private static void putHash(IoBuffer out, PacketHash h) {
        out.putLong(h.hi());
        out.putLong(h.lo());
    }

    private static void putParameters(IoBuffer out, ClusterParameters p) {
        out.putInt(p.clusterSize());
        out.putInt(p.anchorSize());
        putString(out, p.hashName());
        out.putInt(p.snippet());
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Parses one payload (all of {@code in}'s remaining bytes). Throws a {@link ProtocolViolation} naming the type
     * when the payload is cut short, has bytes left over, or holds a value out of range.
     */
    public static Message decode(Message.Type type, ByteBuffer in) throws ProtocolViolation {
        in.order(ByteOrder.BIG_ENDIAN);
        int size = in.remaining();
        Reader r = new Reader(in);
        try {
            Message m = decodeFields(type, r);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes left over after the last field");
            }
            return m;
        } catch (BufferUnderflowException e) {
            throw new ProtocolViolation("malformed " + type.label + " payload: cut short (" + size + " bytes)");
        } catch (IllegalArgumentException e) {
            throw new ProtocolViolation("malformed " + type.label + " payload: " + e.getMessage());
        }
    }

    private static Message decodeFields(Message.Type type, Reader r) {
        return switch (type) {
            case HELLO -> new Hello(r.id("server id"), r.fixed(NONCE_BYTES));
            case LOGIN -> new Login(r.id("client id"), r.string(), r.port(), r.parameters(), r.frameLimit(),
                    r.fixed(NONCE_BYTES), r.fixed(MAC_BYTES));
            case LOGIN_OK -> new LoginOk(r.fixed(MAC_BYTES), r.parameters(), r.frameLimit());
            case LOGIN_REFUSED -> new LoginRefused(r.string());
            case HEARTBEAT -> Heartbeat.INSTANCE;
            case PEERLIST -> new PeerListRequest(r.i32());
            case PEERLIST_ANSWER -> {
                int id = r.i32();
                int n = r.u16();
                List<PeerAddress> peers = new ArrayList<>(n);
                for (int i = 0; i < n; i++) peers.add(new PeerAddress(r.id("peer id"), r.string(), r.port()));
                yield new PeerListAnswer(id, peers);
            }
            case BOOTHASH -> {
                int id = r.i32();
                int attempt = r.i32();
                List<String> members = r.strings();
                PacketHash[] hashes = new PacketHash[r.count(HASH_BYTES)];
                for (int i = 0; i < hashes.length; i++) hashes[i] = r.hash();
                boolean join = r.bool();
                yield new BootHashRequest(id, new BootHash(attempt, members, hashes, join, r.i64()));
            }
            case BOOTACK -> {
                int id = r.i32();
                int attempt = r.i32();
                long[] positions = new long[r.count(8)];
                for (int i = 0; i < positions.length; i++) positions[i] = r.i64();
                yield new BootAckAnswer(id, new BootAck(attempt, positions));
            }
            case BOOTSTART -> new BootStartPush(new BootStart(r.i32(), r.i32(), r.strings(), r.i64(), r.bool()));
            case BOOTHASHFATAL -> new BootHashFatal(r.string());
            case VIEW -> new ViewPush(new ViewProposal(r.i64(), r.strings(), r.i64(), r.i64(), r.i64()));
            case ALERTS -> new AlertsPush(alertDigest(r));
            case CHASH -> new ClusterHashPush(new ClusterHashNotice(r.i64(), r.i64(), r.i64(), r.i32(), r.bool(), r.i64(), r.hash()));
            case GETCLHASHES -> new GetClusterHashes(r.i32(), r.i64(), r.i64());
            case CLHASHES -> {
                int id = r.i32();
                long round = r.i64();
                long epoch = r.i64();
                long alignedEnd = r.i64();
                boolean complete = r.bool();
                int n = r.count(CLHASHES_ENTRY_BYTES);
                long[] hi = new long[n];
                long[] lo = new long[n];
                long[] original = new long[n];
                for (int i = 0; i < n; i++) {
                    hi[i] = r.i64();
                    lo[i] = r.i64();
                    original[i] = r.i64();
                }
                yield new ClusterHashesAnswer(id, new ClusterHashes(round, epoch, alignedEnd, complete, new HashList(hi, lo, original)));
            }
            case GETPACKET -> {
                int id = r.i32();
                long[] originals = new long[r.count(8)];
                for (int i = 0; i < originals.length; i++) originals[i] = r.i64();
                yield new GetPackets(id, originals);
            }
            case PACKETS -> {
                int id = r.i32();
                Packet[] packets = new Packet[r.count(1)];
                for (int i = 0; i < packets.length; i++) {
                    if (r.bool()) {
                        long ts = r.i64();
                        int wireLength = r.i32();
                        int captured = r.i32();
                        if (captured < 0) throw new IllegalArgumentException("negative captured length " + captured);
                        packets[i] = new Packet(ts, wireLength, r.fixed(captured));
                    }
                }
                yield new PacketsAnswer(id, packets);
            }
            case ERROR -> new ErrorAnswer(r.i32(), r.string());
        };
    }

    /** Reads fields off a payload; underflow surfaces as BufferUnderflowException, bad values as IllegalArgumentException. */
    private static final class Reader {
        private final ByteBuffer in;

        Reader(ByteBuffer in) {
            this.in = in;
        }

        int i32() {
            return in.getInt();
        }

        long i64() {
            return in.getLong();
        }

        int u16() {
            return in.getShort() & 0xFFFF;
        }

        boolean bool() {
            int b = in.get() & 0xFF;
            if (b > 1) throw new IllegalArgumentException("flag byte " + b + " is neither 0 nor 1");
            return b == 1;
        }

        /** An element count, checked against the bytes left so that a forged count cannot make us allocate. */
        int count(int minBytesEach) {
            int n = in.getInt();
            if (n < 0 || (long) n * minBytesEach > in.remaining()) {
                throw new IllegalArgumentException("count " + n + " does not fit in the " + in.remaining() + " bytes left");
            }
            return n;
        }

        byte[] fixed(int length) {
            if (length > in.remaining()) throw new BufferUnderflowException();
            byte[] b = new byte[length];
            in.get(b);
            return b;
        }

        String string() {
            byte[] b = fixed(u16());
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("string is not valid UTF-8");
            }
        }

        String id(String what) {
            String s = string();
            if (s.isEmpty()) throw new IllegalArgumentException(what + " is empty");
            return s;
        }

        List<String> strings() {
            int n = u16();
            List<String> list = new ArrayList<>(Math.min(n, in.remaining() / 2));
            for (int i = 0; i < n; i++) list.add(string());
            return List.copyOf(list);
        }

        int port() {
            int p = u16();
            if (p == 0) throw new IllegalArgumentException("port 0");
            return p;
        }

        int frameLimit() {
            int limit = in.getInt();
            if (limit < PeerSettings.MIN_FRAME_BYTES) {
                throw new IllegalArgumentException("frame limit " + limit + " is below the minimum " + PeerSettings.MIN_FRAME_BYTES);
            }
            return limit;
        }

        PacketHash hash() {
            return new PacketHash(in.getLong(), in.getLong());
        }

        ClusterParameters parameters() {
            return new ClusterParameters(i32(), i32(), string(), i32());
        }
    }
}
