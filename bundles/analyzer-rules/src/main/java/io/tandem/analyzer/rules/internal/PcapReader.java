package io.tandem.analyzer.rules.internal;

import io.tandem.api.Packet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A classic pcap file read whole (either byte order, micro- or nanosecond timestamps), for the bench and tests. */
public record PcapReader(int linkType, List<Packet> packets) {

    public static PcapReader read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 24) throw new IOException(file + ": too short for a pcap file");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
            if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) throw new IOException(file + " is not a classic pcap file (pcapng is not read)");
        }
        boolean nanos = magic == 0xa1b23c4d;
        int linkType = b.getInt(20) & 0x0fffffff;
        List<Packet> packets = new ArrayList<>();
        int at = 24;
        while (at + 16 <= bytes.length) {
            long sec = b.getInt(at) & 0xffffffffL;
            long frac = b.getInt(at + 4) & 0xffffffffL;
            int incl = b.getInt(at + 8);
            int orig = b.getInt(at + 12);
            at += 16;
            if (incl < 0 || at + incl > bytes.length) break; // a truncated last record
            byte[] data = Arrays.copyOfRange(bytes, at, at + incl);
            at += incl;
            packets.add(new Packet(sec * 1_000_000 + (nanos ? frac / 1000 : frac), Math.max(orig, incl), data));
        }
        return new PcapReader(linkType, packets);
    }
}
