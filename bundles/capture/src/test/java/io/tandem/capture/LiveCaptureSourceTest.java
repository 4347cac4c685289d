package io.tandem.capture;

import io.tandem.api.Packet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live capture on a veth pair made for the test (root namespace, no addresses, IPv6 off): real captures replayed
 * with tcpreplay on one end must arrive at {@link LiveCaptureSource} on the other exactly, byte for byte, in
 * order. Needs root, iproute2, tcpreplay, tcpdump and setpriv; fails (never skips) without them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveCaptureSourceTest {
    private Veth veth;

    @BeforeAll
    void testBed() throws IOException {
        Veth.requireTestBed();
        veth = Veth.create();
    }

    @AfterAll
    void removeTestBed() {
        if (veth != null) veth.close();
    }

    /** Reads a source on its own thread until it is closed. */
    static final class Collector implements AutoCloseable {
        final LiveCaptureSource source;
        private final List<Packet> got = new ArrayList<>();
        private final Thread thread;
        private volatile Throwable error;
        private volatile boolean ended;

        Collector(LiveCaptureSource source, boolean batches) {
            this.source = source;
            this.thread = new Thread(() -> {
                try {
                    if (batches) {
                        Packet[] b = new Packet[300];
                        for (int n; (n = source.nextBatch(b, b.length)) > 0; ) {
                            synchronized (got) {
                                for (int i = 0; i < n; i++) got.add(b[i]);
                            }
                        }
                    } else {
                        for (Packet p; (p = source.next()) != null; ) {
                            synchronized (got) {
                                got.add(p);
                            }
                        }
                    }
                } catch (Throwable t) {
                    error = t;
                } finally {
                    ended = true;
                }
            }, "collector-" + source.settings().interfaceName());
            thread.setDaemon(true);
            thread.start();
        }

        int count() {
            synchronized (got) {
                return got.size();
            }
        }

        /** Waits until {@code n} packets arrived (or {@code seconds} passed), then a little more for extras. */
        void await(int n, int seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (count() < n && System.nanoTime() < end && !ended) Thread.sleep(20);
            Thread.sleep(300);
        }

        /** Closes the source and returns everything read; fails if the reader failed or did not end. */
        List<Packet> finish() throws InterruptedException {
            source.close();
            thread.join(5000);
            assertFalse(thread.isAlive(), "reader still blocked 5 s after close()");
            if (error != null) throw new AssertionError("reader failed: " + error, error);
            synchronized (got) {
                return new ArrayList<>(got);
            }
        }

        @Override
        public void close() throws InterruptedException {
            source.close();
            thread.join(5000);
        }
    }

    static List<Packet> fileRead(Path file) throws IOException {
        List<Packet> out = new ArrayList<>();
        try (PcapFileSource s = new PcapFileSource(file)) {
            for (Packet p = s.next(); p != null; p = s.next()) out.add(p);
        }
        return out;
    }

    static void assertSamePackets(List<Packet> expected, List<Packet> got, String what) {
        assertEquals(expected.size(), got.size(), what + ": packet count");
        for (int i = 0; i < got.size(); i++) {
            assertArrayEquals(expected.get(i).data(), got.get(i).data(), what + ": bytes of packet " + i);
            assertEquals(expected.get(i).wireLength(), got.get(i).wireLength(), what + ": wire length of packet " + i);
        }
    }

    /** Replays {@code relative} and checks every frame arrived once, unchanged, in order, and the counters agree. */
    private void replayExactly(String relative, LiveCaptureSource.ReadMethod method, boolean batches, String... speed) throws Exception {
        Path file = TestData.pcap(relative);
        List<Packet> expected = fileRead(file);
        long before = System.currentTimeMillis() * 1000;
        LiveCaptureSource src = LiveCaptureSource.open(LiveCaptureSettings.of(veth.capture), method);
        assertEquals(method.name(), src.readMethod());
        assertEquals(1, src.linkType());
        try (Collector c = new Collector(src, batches)) {
            String report = veth.replay(file, speed);
            assertEquals(expected.size(), Veth.sent(report), "tcpreplay sent the whole file");
            c.await(expected.size(), 20);
            LiveCaptureStats live = src.stats();
            List<Packet> got = c.finish();
            long after = System.currentTimeMillis() * 1000 + 1000;
            String what = relative + " by " + method + (batches ? " (nextBatch)" : " (next)");
            assertSamePackets(expected, got, what);
            long prev = before - 1_000_000;
            for (Packet p : got) {
                assertTrue(p.timestampMicros() >= prev, what + ": capture timestamps go forward");
                assertTrue(p.timestampMicros() <= after, what + ": capture timestamp in the test's time");
                prev = p.timestampMicros();
            }
            LiveCaptureStats fin = src.stats();
            assertEquals(new LiveCaptureStats(expected.size(), 0, fin.ifDropped(), expected.size()), fin, what + ": final counters");
            assertEquals(0, fin.ifDropped(), what + ": interface drops");
            assertEquals(expected.size(), live.received(), what + ": received before close");
            assertEquals(0, live.dropped(), what + ": dropped before close");
            assertEquals(fin, src.stats(), "counters stay readable after close");
            assertNull(src.next(), "closed source returns null");
            assertEquals(0, src.nextBatch(new Packet[4], 4), "closed source returns 0");
        }
    }

    @Test
    void replayedCaptureArrivesExactly_topspeed() throws Exception {
        replayExactly("ordinary/ndpi_netflix.pcap", LiveCaptureSource.ReadMethod.DUMP_BATCH, true, "--topspeed");
    }

    @Test
    void replayedCaptureArrivesExactly_smallFramesAtFixedRate() throws Exception {
        // 60-byte frames, read one by one through next()
        replayExactly("attacks/ppa2e_synscan.pcap", LiveCaptureSource.ReadMethod.DUMP_BATCH, false, "--pps=20000");
    }

    @Test
    void everyReadMethodDeliversTheSameFrames() throws Exception {
        assertNull(io.tandem.capture.internal.PcapDumpBatch.unavailableReason(), "batched reading works on Linux");
        try (LiveCaptureSource s = LiveCaptureSource.open(LiveCaptureSettings.of(veth.capture))) {
            assertEquals("DUMP_BATCH", s.readMethod(), "the default");
            assertTrue(s.polled(), "non-blocking handle, idle reader in poll()");
        }
        for (LiveCaptureSource.ReadMethod m : LiveCaptureSource.ReadMethod.values()) {
            replayExactly("ordinary/ppa2e_http_espn.pcap", m, true, "--pps=10000");
        }
    }

    @Test
    void bpfFilterKeepsOnlyWhatItSays() throws Exception {
        String relative = "ordinary/ndpi_netflix.pcap";
        Path file = TestData.pcap(relative);
        List<Packet> all = fileRead(file);
        List<Packet> udp = all.stream().filter(LiveCaptureSourceTest::isUdp).toList();
        long tcpdumpUdp = tcpdumpCount(file, "udp");
        assertEquals(tcpdumpUdp, udp.size(), "own header decoding agrees with tcpdump on 'udp'");
        assertTrue(udp.size() > 10 && udp.size() < all.size() / 2, "the file mixes udp and other traffic");

        LiveCaptureSource src = LiveCaptureSource.open(LiveCaptureSettings.of(veth.capture).withFilter("udp"));
        assertTrue(src.describe().contains("filter 'udp'"), src.describe());
        try (Collector c = new Collector(src, true)) {
            veth.replay(file, "--topspeed");
            c.await(udp.size(), 20);
            List<Packet> got = c.finish();
            assertSamePackets(udp, got, "udp of " + relative);
            LiveCaptureStats s = src.stats();
            assertEquals(udp.size(), s.received(), "libpcap counts only what passed the filter");
            assertEquals(0, s.dropped());
            assertEquals(udp.size(), s.delivered());
        }
    }

    /** Ethernet II, IPv4 protocol 17 or IPv6 next header 17 (what libpcap's "udp" means), optionally one VLAN tag. */
    static boolean isUdp(Packet p) {
        byte[] d = p.data();
        int off = 12;
        int type = ((d[off] & 0xff) << 8) | (d[off + 1] & 0xff);
        if (type == 0x8100) {
            return false; // "udp" without "vlan" does not look past a tag
        }
        if (type == 0x0800) return d.length > 14 + 9 && (d[14 + 9] & 0xff) == 17;
        if (type == 0x86dd) return d.length > 14 + 6 && (d[14 + 6] & 0xff) == 17;
        return false;
    }

    static long tcpdumpCount(Path file, String filter) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tcpdump", "-nr", file.toString(), filter).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long lines;
        try (InputStream in = p.getInputStream()) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().count();
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "tcpdump -r " + file + " " + filter);
        return lines;
    }

    @Test
    void missingInterfaceIsOneLine() {
        IOException e = assertThrows(IOException.class, () -> LiveCaptureSource.open(LiveCaptureSettings.of("tdcnosuch0")));
        assertEquals("capture: no such interface 'tdcnosuch0'", e.getMessage());
    }

    @Test
    void badFilterIsOneLineWithLibpcapsReason() {
        IOException e = assertThrows(IOException.class,
                () -> LiveCaptureSource.open(LiveCaptureSettings.of(veth.capture).withFilter("udp and and port")));
        String m = e.getMessage();
        assertTrue(m.startsWith("capture: bad filter 'udp and and port': "), m);
        assertTrue(m.contains("syntax error"), "libpcap's reason: " + m);
        assertFalse(m.contains("\n"), m);
        assertFalse(m.contains("pcap_compile"), "pcap4j's prefix removed: " + m);

        e = assertThrows(IOException.class,
                () -> LiveCaptureSource.open(LiveCaptureSettings.of(veth.capture).withFilter("port 99999")));
        assertTrue(e.getMessage().startsWith("capture: bad filter 'port 99999': "), e.getMessage());
        assertTrue(e.getMessage().length() > "capture: bad filter 'port 99999': ".length(), e.getMessage());
    }

    @Test
    void interfaceDownIsOneLine() throws Exception {
        try (Veth other = Veth.create()) {
            Veth.run(List.of("ip", "link", "set", other.capture, "down"));
            IOException e = assertThrows(IOException.class, () -> LiveCaptureSource.open(LiveCaptureSettings.of(other.capture)));
            assertEquals("capture: interface '" + other.capture + "' is down (ip link set " + other.capture + " up)", e.getMessage());
        }
    }

    @Test
    void permissionDeniedIsOneLine() throws Exception {
        // the same JVM as root, less CAP_NET_RAW: libpcap cannot open a packet socket
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String out = Veth.run(List.of("setpriv", "--inh-caps=-net_raw", "--bounding-set=-net_raw", java, "-cp", cp,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=off", OpenProbe.class.getName(), veth.capture)).trim();
        assertTrue(out.startsWith("capture: permission denied capturing on '" + veth.capture + "' (needs root or CAP_NET_RAW"), out);
        assertFalse(out.contains("\n"), out);
    }

    /** Run in a child JVM: opens a capture and prints the error's message (or "opened"). */
    static final class OpenProbe {
        public static void main(String[] args) {
            try (LiveCaptureSource s = LiveCaptureSource.open(LiveCaptureSettings.of(args[0]))) {
                System.out.println("opened " + s.describe());
            } catch (IOException e) {
                System.out.println(e.getMessage());
            }
        }
    }

    @Test
    void interfaceRemovedWhileCapturingIsAOneLineReadError() throws Exception {
        Veth other = Veth.create();
        try {
            LiveCaptureSource src = LiveCaptureSource.open(LiveCaptureSettings.of(other.capture));
            Packet[] got = new Packet[1];
            Throwable[] thrown = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    got[0] = src.next();
                } catch (Throwable e) {
                    thrown[0] = e;
                }
            });
            t.start();
            Thread.sleep(300);
            other.close();
            t.join(5000);
            assertFalse(t.isAlive(), "reader still waiting 5 s after its interface was deleted");
            assertNull(got[0]);
            assertTrue(thrown[0] instanceof IOException, String.valueOf(thrown[0]));
            String m = thrown[0].getMessage();
            assertTrue(m.startsWith("capture: reading '" + other.capture + "' failed: "), m);
            assertFalse(m.contains("\n"), m);
            IOException again = assertThrows(IOException.class, src::next);
            assertEquals(m, again.getMessage(), "the same error on every later call");
            src.close();
        } finally {
            other.close();
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedReadAtOnce() throws Exception {
        // a 10 s read timeout: only pcap_breakloop can end the wait quickly
        LiveCaptureSource src = LiveCaptureSource.open(LiveCaptureSettings.of(veth.capture).withTimeoutMillis(10_000));
        Collector c = new Collector(src, false);
        Thread.sleep(500);
        long t0 = System.nanoTime();
        List<Packet> got = c.finish();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 2000, "close took " + ms + " ms");
        assertEquals(0, got.size(), "nothing crossed the idle pair");
        assertEquals(new LiveCaptureStats(0, 0, 0, 0), src.stats());
        src.close(); // twice is fine
    }

    @Test
    void interruptEndsAWaitingReadWithinTheTimeout() throws Exception {
        try (LiveCaptureSource src = LiveCaptureSource.open(LiveCaptureSettings.of(veth.capture).withTimeoutMillis(50))) {
            Throwable[] thrown = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    src.next();
                } catch (Throwable e) {
                    thrown[0] = e;
                }
            });
            t.start();
            Thread.sleep(200);
            t.interrupt();
            t.join(3000);
            assertFalse(t.isAlive());
            assertTrue(thrown[0] instanceof InterruptedException, String.valueOf(thrown[0]));
        }
    }

    @Test
    void describeSaysWhatIsCaptured() throws Exception {
        try (LiveCaptureSource src = LiveCaptureSource.open(LiveCaptureSettings.of(veth.capture))) {
            assertEquals("live capture on " + veth.capture + " (promiscuous, snaplen 1514, buffer 16 MiB, immediate, timeout 100 ms, "
                    + "no filter), link type 1 (EN10MB)", src.describe());
        }
    }
}
