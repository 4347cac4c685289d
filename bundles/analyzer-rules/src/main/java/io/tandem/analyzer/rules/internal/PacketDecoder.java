package io.tandem.analyzer.rules.internal;

/**
 * Decodes link, IP and transport headers of a captured frame. Truncated or malformed frames are refused (counted by
 * the caller), never an exception. IP fragments are not reassembled: a non-first fragment has no transport header
 * and only matches header-only rules.
 */
public final class PacketDecoder {
    public enum Result { OK, NOT_IP, MALFORMED }

    private final int linkType;

    public PacketDecoder(int linkType) {
        if (!supported(linkType)) throw new IllegalArgumentException("link type " + linkType + " is not supported (1, 0, 12, 14, 101, 108, 113, 228, 229)");
        this.linkType = linkType;
    }

    public static boolean supported(int linkType) {
        return switch (linkType) {
            case 0, 1, 12, 14, 101, 108, 113, 228, 229 -> true;
            default -> false;
        };
    }

    public Result decode(byte[] b, Decoded d) {
        d.reset(b);
        int n = b.length;
        int at;
        int etherType;
        switch (linkType) {
            case 1 -> {
                if (n < 14) return Result.MALFORMED;
                etherType = u16(b, 12);
                at = 14;
                while (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100) {
                    if (n < at + 4) return Result.MALFORMED;
                    etherType = u16(b, at + 2);
                    at += 4;
                }
            }
            case 113 -> {
                if (n < 16) return Result.MALFORMED;
                etherType = u16(b, 14);
                at = 16;
            }
            case 0, 108 -> {
                if (n < 4) return Result.MALFORMED;
                // BSD null carries the family in the writer's byte order; loop (108) in network order
                int le = (b[0] & 255) | (b[1] & 255) << 8 | (b[2] & 255) << 16 | (b[3] & 255) << 24;
                int be = u16(b, 0) << 16 | u16(b, 2);
                int fam = linkType == 108 ? be : (le < 256 ? le : be);
                etherType = fam == 2 ? 0x0800 : (fam == 24 || fam == 28 || fam == 30 || fam == 10) ? 0x86dd : -1;
                at = 4;
            }
            default -> { // raw IP: the version nibble says which
                if (n < 1) return Result.MALFORMED;
                etherType = (b[0] & 0xf0) == 0x40 ? 0x0800 : (b[0] & 0xf0) == 0x60 ? 0x86dd : -1;
                at = 0;
            }
        }
        if (etherType == 0x0800) return ipv4(b, at, d);
        if (etherType == 0x86dd) return ipv6(b, at, d);
        return Result.NOT_IP;
    }

    private static Result ipv4(byte[] b, int at, Decoded d) {
        int n = b.length;
        if (n < at + 20 || (b[at] & 0xf0) != 0x40) return Result.MALFORMED;
        int ihl = (b[at] & 0x0f) * 4;
        int total = u16(b, at + 2);
        if (total == 0) total = n - at; // segmentation offload: the NIC fills the length in later
        if (ihl < 20 || total < ihl || n < at + ihl) return Result.MALFORMED;
        int end = Math.min(n, at + total);
        d.ipVersion = 4;
        d.ipOffset = at;
        d.ttl = b[at + 8] & 255;
        d.ipId = u16(b, at + 4);
        d.proto = b[at + 9] & 255;
        d.srcV4 = i32(b, at + 12);
        d.dstV4 = i32(b, at + 16);
        int fragOffset = u16(b, at + 6) & 0x1fff;
        if (fragOffset != 0) {
            d.fragment = true;
            d.payloadOffset = at + ihl;
            d.payloadLength = end - d.payloadOffset;
            return Result.OK;
        }
        return transport(b, at + ihl, end, d);
    }

    private static Result ipv6(byte[] b, int at, Decoded d) {
        int n = b.length;
        if (n < at + 40 || (b[at] & 0xf0) != 0x60) return Result.MALFORMED;
        int end = Math.min(n, at + 40 + u16(b, at + 4));
        d.ipVersion = 6;
        d.ipOffset = at;
        d.ttl = b[at + 7] & 255;
        System.arraycopy(b, at + 8, d.src6, 0, 16);
        System.arraycopy(b, at + 24, d.dst6, 0, 16);
        int next = b[at + 6] & 255;
        int p = at + 40;
        for (int hops = 0; hops < 8; hops++) {
            switch (next) {
                case 0, 43, 60 -> {
                    if (end < p + 8) return Result.MALFORMED;
                    next = b[p] & 255;
                    p += 8 + (b[p + 1] & 255) * 8;
                }
                case 51 -> {
                    if (end < p + 8) return Result.MALFORMED;
                    next = b[p] & 255;
                    p += ((b[p + 1] & 255) + 2) * 4;
                }
                case 44 -> {
                    if (end < p + 8) return Result.MALFORMED;
                    int off = u16(b, p + 2) >>> 3;
                    next = b[p] & 255;
                    p += 8;
                    if (off != 0) {
                        d.proto = next;
                        d.fragment = true;
                        d.payloadOffset = p;
                        d.payloadLength = Math.max(0, end - p);
                        return Result.OK;
                    }
                }
                default -> {
                    if (p > end) return Result.MALFORMED;
                    d.proto = next;
                    return transport(b, p, end, d);
                }
            }
        }
        return Result.MALFORMED;
    }

    private static Result transport(byte[] b, int at, int end, Decoded d) {
        switch (d.proto) {
            case Decoded.TCP -> {
                if (end < at + 20) return Result.MALFORMED;
                int hl = ((b[at + 12] & 0xf0) >>> 4) * 4;
                if (hl < 20 || end < at + hl) return Result.MALFORMED;
                d.srcPort = u16(b, at);
                d.dstPort = u16(b, at + 2);
                d.seq = i32(b, at + 4) & 0xffffffffL;
                d.ack = i32(b, at + 8) & 0xffffffffL;
                d.tcpFlags = b[at + 13] & 255;
                d.window = u16(b, at + 14);
                d.payloadOffset = at + hl;
            }
            case Decoded.UDP -> {
                if (end < at + 8) return Result.MALFORMED;
                d.srcPort = u16(b, at);
                d.dstPort = u16(b, at + 2);
                int len = u16(b, at + 4);
                if (len >= 8 && at + len < end) end = at + len; // trailing Ethernet padding is not payload
                d.payloadOffset = at + 8;
            }
            case Decoded.ICMP, Decoded.ICMPV6 -> {
                if (end < at + 4) return Result.MALFORMED;
                d.icmpType = b[at] & 255;
                d.icmpCode = b[at + 1] & 255;
                if (end >= at + 8) {
                    d.icmpId = u16(b, at + 4);
                    d.icmpSeq = u16(b, at + 6);
                }
                d.payloadOffset = Math.min(end, at + 8);
            }
            default -> d.payloadOffset = at;
        }
        d.payloadLength = end - d.payloadOffset;
        return Result.OK;
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 255) << 8 | (b[at + 1] & 255);
    }

    static int i32(byte[] b, int at) {
        return (b[at] & 255) << 24 | (b[at + 1] & 255) << 16 | (b[at + 2] & 255) << 8 | (b[at + 3] & 255);
    }
}
