package io.tandem.capture.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The result of walking a classic pcap file's record headers in Java: how many records are sound and, if one is
 * not, where it starts and what is wrong. libpcap reports a truncated or corrupt record without saying where it is;
 * this walk lets the reader deliver every sound record through libpcap and then fail with the exact byte offset.
 *
 * @param header        the global header
 * @param records       sound records before the first bad one (all of them when {@code error} is null)
 * @param badOffset     byte offset of the first bad record's header, or -1
 * @param error         one-line message (file, offset, what is wrong), or null when the whole file is sound
 */
public record PcapFileWalk(PcapFileHeader header, long records, long badOffset, String error) {
    /** libpcap refuses records longer than this for every link type Tandem accepts (MAXIMUM_SNAPLEN). */
    public static final int MAX_RECORD = 262144;
    private static final int RECORD_HEADER = 16;

    /** Walks {@code file} whose global header was already read. */
    public static PcapFileWalk walk(PcapFileHeader header) throws IOException {
        Path file = header.file();
        long fractionLimit = header.nanos() ? 1_000_000_000L : 1_000_000L;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(header.order());
            long bufStart = 0;
            int bufLen = 0;
            long off = PcapFileHeader.LENGTH;
            long records = 0;
            while (off < size) {
                long left = size - off;
                if (left < RECORD_HEADER) {
                    return bad(header, records, off, "truncated record header at byte offset " + off
                            + " (" + left + " of 16 bytes)");
                }
                if (off < bufStart || off + RECORD_HEADER > bufStart + bufLen) {
                    buf.clear();
                    bufStart = off;
                    bufLen = 0;
                    while (buf.hasRemaining()) {
                        int n = ch.read(buf, bufStart + bufLen);
                        if (n < 0) break;
                        bufLen += n;
                    }
                    if (bufLen < RECORD_HEADER) throw new IOException(file + ": file shrank while being read");
                }
                int p = (int) (off - bufStart);
                long fraction = Integer.toUnsignedLong(buf.getInt(p + 4));
                long caplen = Integer.toUnsignedLong(buf.getInt(p + 8));
                long bodyLeft = left - RECORD_HEADER;
                if (caplen > MAX_RECORD) {
                    return bad(header, records, off, "bad record at byte offset " + off + " (captured length " + caplen
                            + " exceeds the maximum " + MAX_RECORD + "; corrupt file?)");
                }
                if (caplen > bodyLeft) {
                    return bad(header, records, off, "truncated record at byte offset " + off + " (header says " + caplen
                            + " bytes, " + bodyLeft + " left)");
                }
                if (fraction >= fractionLimit) {
                    return bad(header, records, off, "bad record at byte offset " + off + " (timestamp fraction " + fraction
                            + " is not below " + fractionLimit + "; corrupt file?)");
                }
                records++;
                off += RECORD_HEADER + caplen;
            }
            return new PcapFileWalk(header, records, -1, null);
        }
    }

    private static PcapFileWalk bad(PcapFileHeader header, long records, long offset, String what) {
        return new PcapFileWalk(header, records, offset, header.file() + ": " + what + " after " + records + " good packets");
    }
}
