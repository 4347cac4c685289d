package io.tandem.analyzer.pipe.internal;

import io.tandem.api.Alert;

import java.util.Set;

/** A packet's addresses and ports, decoded independently of Suricata, in the text form EVE uses. */
record Tuple(String srcIp, int srcPort, String destIp, int destPort) {

    /** @return the tuple, or null when the frame is not IPv4/IPv6 under a link type handled here */
    static Tuple of(int linkType, byte[] d) {
        int at;
        int ethType;
        switch (linkType) {
            case 1 -> { // Ethernet, with any 802.1Q/802.1ad tags
                at = 12;
                ethType = u16(d, at);
                at += 2;
                while (ethType == 0x8100 || ethType == 0x88a8) {
                    ethType = u16(d, at + 2);
                    at += 4;
                }
            }
            case 0 -> { // BSD null: address family in host order
                int fam = d[0] != 0 ? d[0] & 255 : d[3] & 255;
                ethType = fam == 2 ? 0x0800 : 0x86dd;
                at = 4;
            }
            case 113 -> {
                ethType = u16(d, 14);
                at = 16;
            }
            case 101, 12, 228, 229 -> {
                ethType = (d[0] >> 4) == 4 ? 0x0800 : 0x86dd;
                at = 0;
            }
            default -> {
                return null;
            }
        }
        int proto;
        String src;
        String dst;
        if (ethType == 0x0800) {
            proto = d[at + 9] & 255;
            src = v4(d, at + 12);
            dst = v4(d, at + 16);
            at += (d[at] & 15) * 4;
        } else if (ethType == 0x86dd) {
            proto = d[at + 6] & 255;
            src = v6(d, at + 8);
            dst = v6(d, at + 24);
            at += 40;
        } else {
            return null;
        }
        boolean ports = (proto == 6 || proto == 17) && at + 4 <= d.length;
        return new Tuple(src, ports ? u16(d, at) : 0, dst, ports ? u16(d, at + 2) : 0);
    }

    /** Same endpoints as the alert, in either direction (stream alerts may name the other side first). */
    boolean matches(Alert a) {
        return Set.of(srcIp + "/" + srcPort, destIp + "/" + destPort).equals(Set.of(a.srcIp() + "/" + a.srcPort(), a.destIp() + "/" + a.destPort()));
    }

    private static int u16(byte[] d, int at) {
        return ((d[at] & 255) << 8) | (d[at + 1] & 255);
    }

    private static String v4(byte[] d, int at) {
        return (d[at] & 255) + "." + (d[at + 1] & 255) + "." + (d[at + 2] & 255) + "." + (d[at + 3] & 255);
    }

    private static String v6(byte[] d, int at) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            if (i > 0) sb.append(':');
            sb.append(String.format("%04x", u16(d, at + i)));
        }
        return sb.toString();
    }
}
