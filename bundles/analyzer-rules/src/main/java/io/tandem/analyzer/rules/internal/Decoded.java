package io.tandem.analyzer.rules.internal;

/**
 * One decoded packet: link, IP and transport headers as offsets into the captured bytes. Reused for every packet
 * of a session (the analyzer runs on one thread), so decoding allocates nothing.
 */
public final class Decoded {
    public static final int TCP = 6, UDP = 17, ICMP = 1, ICMPV6 = 58;
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;

    public byte[] data;
    /** 4 or 6. */
    public int ipVersion;
    public int ipOffset;
    /** Addresses: IPv4 in the last 4 bytes' place of a 16-byte array is not used; v4 uses srcV4/dstV4. */
    public int srcV4, dstV4;
    public final byte[] src6 = new byte[16], dst6 = new byte[16];
    public int proto;
    public int ttl;
    public int ipId;
    /** True when this is a non-first fragment: no transport header to look at. */
    public boolean fragment;
    public int srcPort, dstPort;
    public int tcpFlags;
    public long seq, ack;
    public int window;
    public int icmpType = -1, icmpCode = -1, icmpId = -1, icmpSeq = -1;
    public int payloadOffset, payloadLength;

    void reset(byte[] data) {
        this.data = data;
        ipVersion = 0;
        proto = -1;
        srcPort = dstPort = 0;
        tcpFlags = 0;
        seq = ack = 0;
        window = 0;
        ttl = 0;
        fragment = false;
        icmpType = icmpCode = icmpId = icmpSeq = -1;
        payloadOffset = payloadLength = 0;
    }

    public boolean isTcp() {
        return proto == TCP && !fragment;
    }

    public boolean isUdp() {
        return proto == UDP && !fragment;
    }

    public boolean isIcmp() {
        return (proto == ICMP || proto == ICMPV6) && !fragment;
    }

    public String protoName() {
        return switch (proto) {
            case TCP -> "TCP";
            case UDP -> "UDP";
            case ICMP -> "ICMP";
            case ICMPV6 -> "IPv6-ICMP";
            default -> Integer.toString(proto);
        };
    }

    public String srcText() {
        return ipVersion == 4 ? IpText.v4(srcV4) : IpText.v6(src6);
    }

    public String dstText() {
        return ipVersion == 4 ? IpText.v4(dstV4) : IpText.v6(dst6);
    }
}
