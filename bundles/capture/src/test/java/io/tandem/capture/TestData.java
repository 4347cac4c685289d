package io.tandem.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared real captures, and independent ways (tcpdump, a plain Java reader) to know what they hold. */
final class TestData {
    private TestData() {
    }

    static Path dataDir() {
        String prop = System.getProperty("tandem.data");
        Path p = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("../../../shared/data");
        p = p.toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(p.resolve("pcaps")), "test data not found at " + p);
        return p;
    }

    static Path pcap(String relative) {
        return dataDir().resolve("pcaps").resolve(relative);
    }

    /** Every *.pcap / *.cap under pcaps/ordinary and pcaps/attacks. */
    static List<Path> realCaptures() throws IOException {
        List<Path> all = new ArrayList<>();
        for (String dir : List.of("ordinary", "attacks")) {
            try (Stream<Path> s = Files.list(dataDir().resolve("pcaps").resolve(dir))) {
                s.filter(p -> {
                    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                    return n.endsWith(".pcap") || n.endsWith(".cap");
                }).sorted().forEach(all::add);
            }
        }
        assertTrue(all.size() >= 20, "expected the shared captures, found " + all);
        return all;
    }

    static boolean haveTcpdump() {
        try {
            Process p = new ProcessBuilder("tcpdump", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** What {@code tcpdump -r FILE -qn | wc -l} says. */
    static long tcpdumpCount(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tcpdump", "-r", file.toString(), "-qn")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long lines = 0;
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) if (buf[i] == '\n') lines++;
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tcpdump did not finish on " + file);
        return lines;
    }

    /** First line tcpdump prints on stderr: "reading from file F, link-type X (...), snapshot length N". */
    static String tcpdumpLinkLine(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tcpdump", "-r", file.toString(), "-c1", "-n")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return err.lines().findFirst().orElse("");
    }

    /** A record as the test's own plain reader sees it: where it starts and what it says. */
    record Rec(long offset, long tsMicros, int capLen, int origLen, byte[] data) {
    }

    /** Reads a sound classic pcap (microsecond magic, either byte order) independently of the code under test. */
    static List<Rec> readPlain(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all);
        int magic = b.getInt(0);
        b.order(magic == 0xa1b2c3d4 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        List<Rec> recs = new ArrayList<>();
        int off = 24;
        while (off < all.length) {
            long sec = Integer.toUnsignedLong(b.getInt(off));
            long usec = Integer.toUnsignedLong(b.getInt(off + 4));
            int cap = b.getInt(off + 8);
            int orig = b.getInt(off + 12);
            byte[] d = new byte[cap];
            System.arraycopy(all, off + 16, d, 0, cap);
            recs.add(new Rec(off, sec * 1_000_000 + usec, cap, orig, d));
            off += 16 + cap;
        }
        return recs;
    }
}
