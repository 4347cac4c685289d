package io.tandem.analyzer.rules.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** The DNS query and TLS client hello parsing behind dns.query and tls.sni. */
public final class AppParsers {
    private AppParsers() {
    }

    /**
     * The question names of a DNS message as dotted text without the final dot, or null when the payload is not a
     * well-formed DNS message: a UDP packet is DNS for these rules only if its header and questions parse.
     */
    public static List<byte[]> dnsQueries(byte[] b, int off, int len) {
        if (len < 12) return null;
        int flags = (b[off + 2] & 255) << 8 | (b[off + 3] & 255);
        if (((flags >>> 11) & 0xf) > 5) return null;
        int qd = (b[off + 4] & 255) << 8 | (b[off + 5] & 255);
        if (qd < 1 || qd > 16) return null;
        int p = off + 12, end = off + len;
        List<byte[]> names = new ArrayList<>(qd);
        for (int q = 0; q < qd; q++) {
            ByteArrayOutputStream name = new ByteArrayOutputStream();
            int total = 0;
            while (true) {
                if (p >= end) return null;
                int l = b[p] & 255;
                if (l == 0) {
                    p++;
                    break;
                }
                if (l > 63) return null; // compression pointers do not occur in a question of a request
                if (p + 1 + l > end) return null;
                if (name.size() > 0) name.write('.');
                name.write(b, p + 1, l);
                total += l + 1;
                if (total > 255) return null;
                p += 1 + l;
            }
            if (p + 4 > end) return null;
            p += 4;
            names.add(name.toByteArray());
        }
        return names;
    }

    public static boolean dnsResponse(byte[] b, int off) {
        return (b[off + 2] & 0x80) != 0;
    }

    /** Outcome of looking at the start of a client's TLS stream. */
    public enum TlsState { NEED_MORE, NOT_TLS, DONE }

    /**
     * Parses a ClientHello at the start of {@code b}; puts the server_name into {@code sni[0]} (null if none).
     * The hello must lie in the first record (as practically every client sends it).
     */
    public static TlsState clientHelloSni(byte[] b, int len, byte[][] sni) {
        if (len < 5) return len > 0 && b[0] != 0x16 ? TlsState.NOT_TLS : TlsState.NEED_MORE;
        if (b[0] != 0x16 || b[1] != 3) return TlsState.NOT_TLS;
        int recLen = (b[3] & 255) << 8 | (b[4] & 255);
        if (len < 5 + recLen) return recLen > 16384 + 2048 ? TlsState.NOT_TLS : TlsState.NEED_MORE;
        int p = 5, end = 5 + recLen;
        if (end - p < 4 || b[p] != 1) return TlsState.NOT_TLS;
        p += 4 + 2 + 32; // handshake header, client version, random
        if (p >= end) return TlsState.NOT_TLS;
        p += 1 + (b[p] & 255); // session id
        if (p + 2 > end) return TlsState.NOT_TLS;
        p += 2 + ((b[p] & 255) << 8 | (b[p + 1] & 255)); // cipher suites
        if (p + 1 > end) return TlsState.NOT_TLS;
        p += 1 + (b[p] & 255); // compression methods
        if (p + 2 > end) return TlsState.DONE; // no extensions
        int extEnd = Math.min(end, p + 2 + ((b[p] & 255) << 8 | (b[p + 1] & 255)));
        p += 2;
        while (p + 4 <= extEnd) {
            int type = (b[p] & 255) << 8 | (b[p + 1] & 255);
            int l = (b[p + 2] & 255) << 8 | (b[p + 3] & 255);
            p += 4;
            if (type == 0 && p + 5 <= extEnd) {
                int q = p + 2;
                if (b[q] == 0) {
                    int nl = (b[q + 1] & 255) << 8 | (b[q + 2] & 255);
                    if (q + 3 + nl <= extEnd) sni[0] = java.util.Arrays.copyOfRange(b, q + 3, q + 3 + nl);
                }
                return TlsState.DONE;
            }
            p += l;
        }
        return TlsState.DONE;
    }
}
