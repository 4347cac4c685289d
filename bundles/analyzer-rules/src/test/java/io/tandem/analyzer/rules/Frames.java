package io.tandem.analyzer.rules;

import io.tandem.api.Packet;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Hand-built Ethernet/IPv4 frames for tests that need a precise packet sequence (segments lost, reordered...). */
final class Frames {
    static final int SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01, RST = 0x04;

    private Frames() {
    }

    static Packet tcp(String src, int sport, String dst, int dport, long seq, long ack, int flags, String payload) {
        return tcp(src, sport, dst, dport, seq, ack, flags, payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Packet tcp(String src, int sport, String dst, int dport, long seq, long ack, int flags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20 + payload.length);
        ether(b, 0x0800);
        ipv4(b, 6, 20 + payload.length, src, dst);
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack);
        b.put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        b.put(payload);
        return new Packet(0, b.capacity(), b.array());
    }

    static Packet udp(String src, int sport, String dst, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payload.length);
        ether(b, 0x0800);
        ipv4(b, 17, 8 + payload.length, src, dst);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return new Packet(0, b.capacity(), b.array());
    }

    static Packet icmp(String src, String dst, int type, int code, int id, int seq, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payload.length);
        ether(b, 0x0800);
        ipv4(b, 1, 8 + payload.length, src, dst);
        b.put((byte) type).put((byte) code).putShort((short) 0).putShort((short) id).putShort((short) seq);
        b.put(payload);
        return new Packet(0, b.capacity(), b.array());
    }

    private static void ether(ByteBuffer b, int type) {
        b.put(new byte[12]).putShort((short) type);
    }

    private static void ipv4(ByteBuffer b, int proto, int l4len, String src, String dst) {
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4len)).putShort((short) 1).putShort((short) 0x4000);
        b.put((byte) 64).put((byte) proto).putShort((short) 0);
        for (String s : new String[]{src, dst}) for (String o : s.split("\\.")) b.put((byte) Integer.parseInt(o));
    }
}
