package io.tandem.capture;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LiveCaptureSettingsTest {

    static Map<String, Object> cfg(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static String error(Map<String, Object> cfg) {
        String m = assertThrows(IllegalArgumentException.class, () -> LiveCaptureSettings.fromConfig(cfg)).getMessage();
        assertFalse(m.contains("\n"), m);
        return m;
    }

    @Test
    void defaults() {
        LiveCaptureSettings s = LiveCaptureSettings.fromConfig(cfg("interface", "eth1", "source", "ignored"));
        assertEquals(LiveCaptureSettings.of("eth1"), s);
        assertEquals(new LiveCaptureSettings("eth1", true, 1514, 16 << 20, "", true, 100), s);
        assertEquals("eth1 (promiscuous, snaplen 1514, buffer 16 MiB, immediate, timeout 100 ms, no filter)", s.describe());
    }

    @Test
    void everyKeyIsRead_stringsOrTypedValues() {
        LiveCaptureSettings s = LiveCaptureSettings.fromConfig(cfg("interface", " tap0 ", "promiscuous", "FALSE", "snaplen", "9000",
                "buffer.size", "64MiB", "filter", " udp or icmp ", "immediate", "false", "timeout", "250"));
        assertEquals(new LiveCaptureSettings("tap0", false, 9000, 64 << 20, "udp or icmp", false, 250), s);
        assertEquals(s, LiveCaptureSettings.fromConfig(new HashMap<>(s.toConfig())));
        LiveCaptureSettings t = LiveCaptureSettings.fromConfig(cfg("interface", "tap0", "promiscuous", Boolean.FALSE, "snaplen", 9000,
                "buffer.size", 65536L, "timeout", 1));
        assertEquals(new LiveCaptureSettings("tap0", false, 9000, 65536, "", true, 1), t);
        assertEquals(2 << 10 << 10, LiveCaptureSettings.fromConfig(cfg("interface", "a", "buffer.size", "2m")).bufferSize());
        assertEquals(512 << 10, LiveCaptureSettings.fromConfig(cfg("interface", "a", "buffer.size", "512k")).bufferSize());
        assertEquals(1 << 30, LiveCaptureSettings.fromConfig(cfg("interface", "a", "buffer.size", "1g")).bufferSize());
        assertEquals(3 << 20, LiveCaptureSettings.fromConfig(cfg("interface", "a", "buffer.size", "3MB")).bufferSize());
        assertEquals(LiveCaptureSettings.of("a"), LiveCaptureSettings.fromConfig(cfg("interface", "a", "snaplen", " ", "filter", "")));
    }

    @Test
    void badValuesNameTheKeyAndValue() {
        assertEquals("capture config: interface is missing: name the interface to capture on", error(cfg()));
        assertEquals("capture config: interface is missing: name the interface to capture on", error(cfg("interface", "  ")));
        assertEquals("capture config: interface 'a b' is not an interface name (1..15 characters, no spaces or '/')",
                error(cfg("interface", "a b")));
        assertEquals("capture config: interface 'abcdefghijklmnop' is not an interface name (1..15 characters, no spaces or '/')",
                error(cfg("interface", "abcdefghijklmnop")));
        assertEquals("capture config: promiscuous 'yes' is not true or false", error(cfg("interface", "e", "promiscuous", "yes")));
        assertEquals("capture config: immediate '1' is not true or false", error(cfg("interface", "e", "immediate", "1")));
        assertEquals("capture config: snaplen 'big' is not an integer (64..262144)", error(cfg("interface", "e", "snaplen", "big")));
        assertEquals("capture config: snaplen 10 is out of range (64..262144)", error(cfg("interface", "e", "snaplen", "10")));
        assertEquals("capture config: snaplen 300000 is out of range (64..262144)", error(cfg("interface", "e", "snaplen", 300000)));
        assertEquals("capture config: buffer.size '16x' is not a size in bytes (e.g. 16m, 65536)", error(cfg("interface", "e", "buffer.size", "16x")));
        assertEquals("capture config: buffer.size '1k' is out of range (64k..1g bytes)", error(cfg("interface", "e", "buffer.size", "1k")));
        assertEquals("capture config: buffer.size '2g' is out of range (64k..1g bytes)", error(cfg("interface", "e", "buffer.size", "2g")));
        assertEquals("capture config: buffer.size '-5' is not a size in bytes (e.g. 16m, 65536)", error(cfg("interface", "e", "buffer.size", "-5")));
        assertEquals("capture config: timeout 0 is out of range (1..10000 ms)", error(cfg("interface", "e", "timeout", "0")));
        assertEquals("capture config: timeout 'soon' is not an integer (1..10000 ms)", error(cfg("interface", "e", "timeout", "soon")));
        assertEquals("capture config: filter contains a NUL character", error(cfg("interface", "e", "filter", "udp\0 or tcp")));
        assertEquals("capture config: snaplen 63 is out of range (64..262144)",
                assertThrows(IllegalArgumentException.class, () -> LiveCaptureSettings.of("e").withSnaplen(63)).getMessage());
    }
}
