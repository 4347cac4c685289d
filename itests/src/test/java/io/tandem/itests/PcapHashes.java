package io.tandem.itests;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The packet hashes of a classic pcap file as a replica's hash log writes them: MD5 over the first
 * {@code snippet} bytes of each frame (the whole frame if shorter), 32 lower-case hex digits
 * (bundles/hashdb Md5HashFunction, HashFunction.hashPacket, PacketHash.toHex).
 */
final class PcapHashes {
    private PcapHashes() {
    }

    static List<String> of(Path pcap, int snippet) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap));
        if (b.remaining() < 24) throw new IOException(pcap + ": not a pcap file (shorter than its header)");
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
            b.order(ByteOrder.LITTLE_ENDIAN);
        } else if (Integer.reverseBytes(magic) == 0xa1b2c3d4 || Integer.reverseBytes(magic) == 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
        } else {
            throw new IOException(pcap + ": not a classic pcap file (magic " + Integer.toHexString(magic) + ")");
        }
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        HexFormat hex = HexFormat.of();
        List<String> out = new ArrayList<>();
        int at = 24;
        byte[] data = b.array();
        while (at + 16 <= data.length) {
            int captured = b.getInt(at + 8);
            if (captured < 0 || at + 16 + captured > data.length) throw new IOException(pcap + ": truncated record at byte " + at);
            md5.update(data, at + 16, Math.min(snippet, captured));
            out.add(hex.formatHex(md5.digest()));
            at += 16 + captured;
        }
        return out;
    }
}
