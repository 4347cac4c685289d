package io.tandem.analyzer.rules.internal;

/** Addresses as text for alerts: dotted quad, and IPv6 in full lower-case groups (the form Suricata's EVE uses). */
public final class IpText {
    private IpText() {
    }

    public static String v4(int a) {
        return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    public static String v6(byte[] a) {
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 16; i += 2) {
            if (i > 0) sb.append(':');
            int g = ((a[i] & 255) << 8) | (a[i + 1] & 255);
            String h = Integer.toHexString(g);
            for (int p = h.length(); p < 4; p++) sb.append('0');
            sb.append(h);
        }
        return sb.toString();
    }
}
