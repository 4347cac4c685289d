package io.tandem.capture.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The 24-byte global header of a classic pcap file, read in Java so that a file libpcap would refuse (or
 * accept as pcapng, which Tandem does not support) gets an error naming the file and what is wrong with it.
 *
 * @param file      the file
 * @param order     byte order of every header field in the file
 * @param nanos     record timestamps carry nanoseconds (magic a1b23c4d) instead of microseconds
 * @param snaplen   snapshot length from the header
 * @param linkType  LINKTYPE_* value (low 16 bits of the header field; the upper bits carry FCS information)
 */
public record PcapFileHeader(Path file, ByteOrder order, boolean nanos, int snaplen, int linkType) {
    public static final int LENGTH = 24;

    private static final int MAGIC_MICROS = 0xa1b2c3d4;
    private static final int MAGIC_NANOS = 0xa1b23c4d;
    private static final int MAGIC_KUZNETSOV = 0xa1b2cd34;
    private static final int MAGIC_PCAPNG = 0x0a0d0d0a;

    /** Reads and checks the global header; the IOException's message is one line starting with the file. */
    public static PcapFileHeader read(Path file) throws IOException {
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            b = in.readNBytes(LENGTH);
        }
        if (b.length >= 4 && ByteBuffer.wrap(b).getInt(0) == MAGIC_PCAPNG) {
            throw new IOException(file + ": pcapng is not supported, only classic pcap (convert with: editcap -F pcap IN OUT)");
        }
        if (b.length < LENGTH) {
            throw new IOException(file + ": not a pcap file (" + b.length + " bytes, shorter than the 24-byte pcap header)");
        }
        ByteBuffer big = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
        int magic = big.getInt(0);
        ByteOrder order;
        int m;
        if (magic == MAGIC_MICROS || magic == MAGIC_NANOS || magic == MAGIC_KUZNETSOV) {
            order = ByteOrder.BIG_ENDIAN;
            m = magic;
        } else if (Integer.reverseBytes(magic) == MAGIC_MICROS || Integer.reverseBytes(magic) == MAGIC_NANOS
                || Integer.reverseBytes(magic) == MAGIC_KUZNETSOV) {
            order = ByteOrder.LITTLE_ENDIAN;
            m = Integer.reverseBytes(magic);
        } else {
            throw new IOException(file + ": not a pcap file (magic 0x" + String.format("%08x", magic) + ")");
        }
        if (m == MAGIC_KUZNETSOV) {
            throw new IOException(file + ": modified (Kuznetsov) pcap format is not supported, only classic pcap");
        }
        ByteBuffer h = ByteBuffer.wrap(b).order(order);
        int major = Short.toUnsignedInt(h.getShort(4));
        int minor = Short.toUnsignedInt(h.getShort(6));
        if (major != 2) {
            throw new IOException(file + ": unsupported pcap version " + major + "." + minor + " (only 2.x)");
        }
        int snaplen = h.getInt(16);
        int linkType = h.getInt(20) & 0xffff;
        return new PcapFileHeader(file, order, m == MAGIC_NANOS, snaplen, linkType);
    }
}
