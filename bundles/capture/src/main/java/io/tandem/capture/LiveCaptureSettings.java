package io.tandem.capture;

import java.util.Locale;
import java.util.Map;

/**
 * How a replica captures from a network interface. The keys named in the messages are the ones of
 * {@code etc/io.tandem.capture.cfg}:
 *
 * <table>
 *   <caption>keys</caption>
 *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code interface}</td><td>the interface to capture on (required)</td><td>—</td></tr>
 *   <tr><td>{@code promiscuous}</td><td>promiscuous mode ({@code true}/{@code false})</td><td>true</td></tr>
 *   <tr><td>{@code snaplen}</td><td>bytes kept of each frame, {@value #MIN_SNAPLEN}..{@value #MAX_SNAPLEN}</td>
 *       <td>{@value #DEFAULT_SNAPLEN}</td></tr>
 *   <tr><td>{@code buffer.size}</td><td>the kernel capture buffer in bytes; suffixes {@code k}, {@code m},
 *       {@code g} (powers of 1024)</td><td>16m</td></tr>
 *   <tr><td>{@code filter}</td><td>a BPF filter expression (tcpdump syntax); empty: every frame</td><td>empty</td></tr>
 *   <tr><td>{@code immediate}</td><td>immediate mode: frames are handed over as they arrive instead of in
 *       blocks ({@code true}/{@code false})</td><td>true</td></tr>
 *   <tr><td>{@code timeout}</td><td>libpcap read timeout in milliseconds, {@value #MIN_TIMEOUT}..
 *       {@value #MAX_TIMEOUT}: the longest a read waits before looking again whether it was interrupted (closing
 *       never waits for it)</td><td>{@value #DEFAULT_TIMEOUT}</td></tr>
 * </table>
 *
 * <p>Invalid values are refused with an {@link IllegalArgumentException} whose one-line message names the key and
 * the value. Whether the interface exists and the filter compiles is only known when the capture opens
 * ({@link LiveCaptureSource#open}).
 *
 * @param interfaceName  key {@code interface}
 * @param promiscuous    key {@code promiscuous}
 * @param snaplen        key {@code snaplen}
 * @param bufferSize     key {@code buffer.size}, bytes
 * @param filter         key {@code filter}, never null ("" for none)
 * @param immediate      key {@code immediate}
 * @param timeoutMillis  key {@code timeout}
 */
public record LiveCaptureSettings(String interfaceName, boolean promiscuous, int snaplen, int bufferSize, String filter,
                                  boolean immediate, int timeoutMillis) {
    public static final String KEY_INTERFACE = "interface";
    public static final String KEY_PROMISCUOUS = "promiscuous";
    public static final String KEY_SNAPLEN = "snaplen";
    public static final String KEY_BUFFER_SIZE = "buffer.size";
    public static final String KEY_FILTER = "filter";
    public static final String KEY_IMMEDIATE = "immediate";
    public static final String KEY_TIMEOUT = "timeout";

    public static final int DEFAULT_SNAPLEN = 1514;
    public static final int MIN_SNAPLEN = 64;
    /** libpcap's MAXIMUM_SNAPLEN. */
    public static final int MAX_SNAPLEN = 262144;
    public static final int DEFAULT_BUFFER_SIZE = 16 << 20;
    public static final int MIN_BUFFER_SIZE = 64 << 10;
    public static final int MAX_BUFFER_SIZE = 1 << 30;
    public static final int DEFAULT_TIMEOUT = 100;
    public static final int MIN_TIMEOUT = 1;
    public static final int MAX_TIMEOUT = 10_000;
    /** Linux IFNAMSIZ less the terminating NUL. */
    private static final int MAX_INTERFACE_NAME = 15;

    public LiveCaptureSettings {
        if (interfaceName == null || interfaceName.isEmpty()) {
            throw new IllegalArgumentException(bad(KEY_INTERFACE, "is missing: name the interface to capture on"));
        }
        if (interfaceName.length() > MAX_INTERFACE_NAME || interfaceName.chars().anyMatch(c -> c <= ' ' || c == '/' || c >= 127)) {
            throw new IllegalArgumentException(bad(KEY_INTERFACE, quote(interfaceName)
                    + " is not an interface name (1.." + MAX_INTERFACE_NAME + " characters, no spaces or '/')"));
        }
        if (snaplen < MIN_SNAPLEN || snaplen > MAX_SNAPLEN) {
            throw new IllegalArgumentException(bad(KEY_SNAPLEN, snaplen + " is out of range (" + MIN_SNAPLEN + ".." + MAX_SNAPLEN + ")"));
        }
        if (bufferSize < MIN_BUFFER_SIZE || bufferSize > MAX_BUFFER_SIZE) {
            throw new IllegalArgumentException(bad(KEY_BUFFER_SIZE, bufferSize + " is out of range (64k..1g bytes)"));
        }
        if (filter == null) filter = "";
        if (filter.indexOf('\0') >= 0) throw new IllegalArgumentException(bad(KEY_FILTER, "contains a NUL character"));
        if (timeoutMillis < MIN_TIMEOUT || timeoutMillis > MAX_TIMEOUT) {
            throw new IllegalArgumentException(bad(KEY_TIMEOUT, timeoutMillis + " is out of range (" + MIN_TIMEOUT + ".." + MAX_TIMEOUT + " ms)"));
        }
    }

    /** Capture on {@code interfaceName} with every other setting at its default. */
    public static LiveCaptureSettings of(String interfaceName) {
        return new LiveCaptureSettings(interfaceName, true, DEFAULT_SNAPLEN, DEFAULT_BUFFER_SIZE, "", true, DEFAULT_TIMEOUT);
    }

    public LiveCaptureSettings withSnaplen(int value) {
        return new LiveCaptureSettings(interfaceName, promiscuous, value, bufferSize, filter, immediate, timeoutMillis);
    }

    public LiveCaptureSettings withFilter(String value) {
        return new LiveCaptureSettings(interfaceName, promiscuous, snaplen, bufferSize, value, immediate, timeoutMillis);
    }

    public LiveCaptureSettings withTimeoutMillis(int value) {
        return new LiveCaptureSettings(interfaceName, promiscuous, snaplen, bufferSize, filter, immediate, value);
    }

    /**
     * Reads the keys above from a configuration (Config Admin properties or a parsed cfg file); other keys are
     * ignored, missing ones take their defaults (except {@code interface}). Values may be strings or already
     * typed (Boolean, Integer, Long).
     *
     * @throws IllegalArgumentException one line naming the bad key and value
     */
    public static LiveCaptureSettings fromConfig(Map<String, ?> config) {
        Object iface = config.get(KEY_INTERFACE);
        String name = iface == null ? null : iface.toString().trim();
        Object filter = config.get(KEY_FILTER);
        return new LiveCaptureSettings(name,
                bool(config, KEY_PROMISCUOUS, true),
                (int) integer(config, KEY_SNAPLEN, DEFAULT_SNAPLEN, MIN_SNAPLEN, MAX_SNAPLEN, ""),
                (int) size(config, KEY_BUFFER_SIZE, DEFAULT_BUFFER_SIZE),
                filter == null ? "" : filter.toString().trim(),
                bool(config, KEY_IMMEDIATE, true),
                (int) integer(config, KEY_TIMEOUT, DEFAULT_TIMEOUT, MIN_TIMEOUT, MAX_TIMEOUT, " ms"));
    }

    /** The settings as cfg lines would give them back ({@code key=value}, in the table's order). */
    public Map<String, String> toConfig() {
        return Map.of(KEY_INTERFACE, interfaceName, KEY_PROMISCUOUS, Boolean.toString(promiscuous), KEY_SNAPLEN,
                Integer.toString(snaplen), KEY_BUFFER_SIZE, Integer.toString(bufferSize), KEY_FILTER, filter,
                KEY_IMMEDIATE, Boolean.toString(immediate), KEY_TIMEOUT, Integer.toString(timeoutMillis));
    }

    /** "eth0 (promiscuous, snaplen 1514, buffer 16 MiB, immediate, timeout 100 ms, filter 'udp')". */
    public String describe() {
        StringBuilder b = new StringBuilder(interfaceName).append(" (");
        b.append(promiscuous ? "promiscuous" : "not promiscuous");
        b.append(", snaplen ").append(snaplen);
        b.append(", buffer ").append(bufferSize % (1 << 20) == 0 ? (bufferSize >> 20) + " MiB"
                : bufferSize % 1024 == 0 ? (bufferSize >> 10) + " KiB" : bufferSize + " bytes");
        b.append(immediate ? ", immediate" : ", not immediate");
        b.append(", timeout ").append(timeoutMillis).append(" ms");
        b.append(filter.isEmpty() ? ", no filter" : ", filter " + quote(filter));
        return b.append(')').toString();
    }

    private static boolean bool(Map<String, ?> config, String key, boolean dflt) {
        Object v = config.get(key);
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) return dflt;
        if (s.equals("true")) return true;
        if (s.equals("false")) return false;
        throw new IllegalArgumentException(bad(key, quote(v.toString()) + " is not true or false"));
    }

    private static long integer(Map<String, ?> config, String key, long dflt, long min, long max, String unit) {
        Object v = config.get(key);
        if (v == null) return dflt;
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            n = ((Number) v).longValue();
        } else {
            String s = v.toString().trim();
            if (s.isEmpty()) return dflt;
            try {
                n = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(bad(key, quote(v.toString()) + " is not an integer (" + min + ".." + max + unit + ")"));
            }
        }
        if (n < min || n > max) throw new IllegalArgumentException(bad(key, n + " is out of range (" + min + ".." + max + unit + ")"));
        return n;
    }

    /** Bytes, with an optional k/m/g suffix (also KiB/MiB/GiB, KB/MB/GB, all powers of 1024). */
    private static long size(Map<String, ?> config, String key, long dflt) {
        Object v = config.get(key);
        if (v == null) return dflt;
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            n = ((Number) v).longValue();
        } else {
            String s = v.toString().trim().toLowerCase(Locale.ROOT);
            if (s.isEmpty()) return dflt;
            if (s.endsWith("ib")) s = s.substring(0, s.length() - 2);
            else if (s.endsWith("b") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) s = s.substring(0, s.length() - 1);
            int shift = 0;
            char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
            if (last == 'k') shift = 10;
            else if (last == 'm') shift = 20;
            else if (last == 'g') shift = 30;
            if (shift > 0) s = s.substring(0, s.length() - 1).trim();
            try {
                long base = Long.parseLong(s);
                if (base < 0 || base > (Long.MAX_VALUE >> shift)) throw new NumberFormatException();
                n = base << shift;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(bad(key, quote(v.toString()) + " is not a size in bytes (e.g. 16m, 65536)"));
            }
        }
        if (n < MIN_BUFFER_SIZE || n > MAX_BUFFER_SIZE) {
            throw new IllegalArgumentException(bad(key, quote(v.toString()) + " is out of range (64k..1g bytes)"));
        }
        return n;
    }

    private static String bad(String key, String what) {
        return "capture config: " + key + " " + what;
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            if (c < ' ' || c == 127) b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        if (s.length() > 200) b.append("...");
        return b.append('\'').toString();
    }
}
