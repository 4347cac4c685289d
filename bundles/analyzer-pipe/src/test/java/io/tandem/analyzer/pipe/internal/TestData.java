package io.tandem.analyzer.pipe.internal;

import io.tandem.api.Packet;
import io.tandem.capture.LoopedCapture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The shared real captures and suricata-verify tests, pcaps read as a replica reads them, and the installed Suricata. */
final class TestData {
    private static String suricataVersion;

    private TestData() {
    }

    static Path dataDir() {
        String prop = System.getProperty("tandem.data");
        Path p = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("../../../shared/data");
        p = p.toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(p.resolve("suricata-verify")), "test data not found at " + p + " (system property tandem.data)");
        return p;
    }

    static Path verify(String folder) {
        return dataDir().resolve("suricata-verify").resolve(folder);
    }

    /**
     * The installed Suricata's version ("7.0.10"). Fails (never skips) when it is missing: these tests are about
     * running the real program; .ci/run installs it from bookworm-backports.
     */
    static synchronized String suricataVersion() {
        if (suricataVersion == null) {
            try {
                Process p = new ProcessBuilder("suricata", "-V").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) fail("suricata -V failed: " + out.strip());
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("version (\\d+\\.\\d+\\.\\d+)").matcher(out);
                if (!m.find()) fail("cannot read the version in: " + out.strip());
                suricataVersion = m.group(1);
            } catch (IOException e) {
                fail("suricata is not installed (these tests run the real program; .ci/run installs it: apt-get install -t bookworm-backports suricata): " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
        return suricataVersion;
    }

    /** A classic pcap: its link type and frames. */
    record Pcap(int linkType, List<Packet> packets) {
    }

    /** Reads a pcap through the capture bundle's reader (libpcap), as a replica would. */
    static Pcap read(Path file) {
        try {
            LoopedCapture c = LoopedCapture.load(file);
            List<Packet> packets = new ArrayList<>(c.size());
            for (int i = 0; i < c.size(); i++) packets.add(c.get(i));
            return new Pcap(c.linkType(), packets);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The one *.pcap / *.cap of a suricata-verify folder. */
    static Path pcapIn(Path folder) {
        try (var s = Files.list(folder)) {
            List<Path> l = s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".cap")).toList();
            assertTrue(l.size() == 1, "expected one pcap in " + folder + ", found " + l);
            return l.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
