package io.tandem.analyzer.rules.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An address or port expression of a rule header: {@code any}, a CIDR or port range, a {@code [list]} of those,
 * negation with {@code !}, and {@code $VARIABLES} expanded from configuration. A list matches when one of its
 * positive items matches (or it has none) and none of its negated items does.
 */
public final class NetSpec {
    private static final NetSpec ANY = new NetSpec(true, List.of(), List.of(), List.of(), List.of());

    private final boolean any;
    /** Leaves: for addresses {version, prefix bits, bytes}; for ports {low, high}. */
    private final List<long[]> include;
    private final List<long[]> exclude;
    private final List<NetSpec> includeLists;
    private final List<NetSpec> excludeLists;

    private NetSpec(boolean any, List<long[]> include, List<long[]> exclude, List<NetSpec> includeLists, List<NetSpec> excludeLists) {
        this.any = any;
        this.include = include;
        this.exclude = exclude;
        this.includeLists = includeLists;
        this.excludeLists = excludeLists;
    }

    public static NetSpec any() {
        return ANY;
    }

    public boolean isAny() {
        return any;
    }

    public static NetSpec parseAddress(String text, Map<String, String> vars) {
        return parse(text.trim(), vars, true, 0);
    }

    public static NetSpec parsePort(String text, Map<String, String> vars) {
        return parse(text.trim(), vars, false, 0);
    }

    private static NetSpec parse(String text, Map<String, String> vars, boolean address, int depth) {
        if (depth > 16) throw new IllegalArgumentException("variables nest too deep (a cycle?) at " + text);
        if (text.isEmpty()) throw new IllegalArgumentException("empty " + (address ? "address" : "port"));
        List<String> items = text.startsWith("[") && matchingBracket(text, 0) == text.length() - 1
                ? splitList(text.substring(1, text.length() - 1)) : List.of(text);
        if (items.isEmpty()) throw new IllegalArgumentException("empty list " + text);
        List<long[]> inc = new ArrayList<>(), exc = new ArrayList<>();
        List<NetSpec> incL = new ArrayList<>(), excL = new ArrayList<>();
        boolean any = false;
        for (String raw : items) {
            String item = raw.trim();
            boolean neg = false;
            while (item.startsWith("!")) {
                neg = !neg;
                item = item.substring(1).trim();
            }
            NetSpec nested = null;
            long[] leaf = null;
            if (item.startsWith("[")) {
                nested = parse(item, vars, address, depth + 1);
            } else if (item.startsWith("$")) {
                String name = item.substring(1);
                String value = vars.get(name);
                if (value == null) throw new IllegalArgumentException("undefined variable $" + name);
                nested = parse(value.trim(), vars, address, depth + 1);
            } else if (item.equalsIgnoreCase("any")) {
                if (neg) throw new IllegalArgumentException("!any matches nothing");
                if (items.size() == 1) return ANY;
                nested = ANY;
            } else {
                leaf = address ? cidr(item) : portRange(item);
            }
            if (nested != null && nested.any && !neg && items.size() == 1) return ANY;
            if (nested != null) (neg ? excL : incL).add(nested);
            else (neg ? exc : inc).add(leaf);
        }
        return new NetSpec(any, List.copyOf(inc), List.copyOf(exc), List.copyOf(incL), List.copyOf(excL));
    }

    private static int matchingBracket(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            if (s.charAt(i) == '[') depth++;
            else if (s.charAt(i) == ']' && --depth == 0) return i;
        }
        throw new IllegalArgumentException("unbalanced [ in " + s);
    }

    private static List<String> splitList(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[') depth++;
            else if (c == ']') depth--;
            else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) throw new IllegalArgumentException("unbalanced [ in [" + s + "]");
        out.add(s.substring(start));
        out.removeIf(x -> x.isBlank());
        return out;
    }

    private static long[] cidr(String item) {
        String addr = item;
        int bits = -1;
        int slash = item.indexOf('/');
        if (slash >= 0) {
            addr = item.substring(0, slash);
            try {
                bits = Integer.parseInt(item.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in " + item);
            }
        }
        if (!addr.matches("[0-9a-fA-F:.]+") || addr.isEmpty()) throw new IllegalArgumentException("bad address " + item);
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress(); // literal only: the pattern above admits no host names
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address " + item);
        }
        if (bits < 0) bits = bytes.length * 8;
        if (bits > bytes.length * 8) throw new IllegalArgumentException("prefix /" + bits + " too long in " + item);
        long[] leaf = new long[2 + bytes.length];
        leaf[0] = bytes.length == 4 ? 4 : 6;
        leaf[1] = bits;
        for (int i = 0; i < bytes.length; i++) leaf[2 + i] = bytes[i] & 255;
        return leaf;
    }

    private static long[] portRange(String item) {
        try {
            int colon = item.indexOf(':');
            if (colon < 0) {
                int p = port(item);
                return new long[]{p, p};
            }
            String lo = item.substring(0, colon).trim(), hi = item.substring(colon + 1).trim();
            int l = lo.isEmpty() ? 0 : port(lo), h = hi.isEmpty() ? 65535 : port(hi);
            if (l > h) throw new IllegalArgumentException("empty port range " + item);
            return new long[]{l, h};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port " + item);
        }
    }

    private static int port(String s) {
        int p = Integer.parseInt(s.trim());
        if (p < 0 || p > 65535) throw new IllegalArgumentException("port " + p + " out of 0..65535");
        return p;
    }

    public boolean matchesPort(int port) {
        if (any) return true;
        boolean positive = include.isEmpty() && includeLists.isEmpty();
        for (long[] r : include) if (port >= r[0] && port <= r[1]) { positive = true; break; }
        if (!positive) for (NetSpec l : includeLists) if (l.matchesPort(port)) { positive = true; break; }
        if (!positive) return false;
        for (long[] r : exclude) if (port >= r[0] && port <= r[1]) return false;
        for (NetSpec l : excludeLists) if (l.matchesPort(port)) return false;
        return true;
    }

    /** @param d the packet; {@code source} picks its source or destination address */
    public boolean matchesAddress(Decoded d, boolean source) {
        if (any) return true;
        boolean positive = include.isEmpty() && includeLists.isEmpty();
        for (long[] c : include) if (cidrMatches(c, d, source)) { positive = true; break; }
        if (!positive) for (NetSpec l : includeLists) if (l.matchesAddress(d, source)) { positive = true; break; }
        if (!positive) return false;
        for (long[] c : exclude) if (cidrMatches(c, d, source)) return false;
        for (NetSpec l : excludeLists) if (l.matchesAddress(d, source)) return false;
        return true;
    }

    private static boolean cidrMatches(long[] c, Decoded d, boolean source) {
        if (c[0] != d.ipVersion) return false;
        int bits = (int) c[1];
        if (d.ipVersion == 4) {
            int a = source ? d.srcV4 : d.dstV4;
            int net = (int) (c[2] << 24 | c[3] << 16 | c[4] << 8 | c[5]);
            int mask = bits == 0 ? 0 : -1 << (32 - bits);
            return (a & mask) == (net & mask);
        }
        byte[] a = source ? d.src6 : d.dst6;
        for (int i = 0; i < 16 && bits > 0; i++, bits -= 8) {
            int m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if (((a[i] & 255) & m) != (c[2 + i] & m)) return false;
        }
        return true;
    }
}
