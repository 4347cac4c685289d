package io.tandem.analyzer.pipe.internal.bench;

import io.tandem.analyzer.pipe.PipeAnalyzer;
import io.tandem.analyzer.pipe.PipeSettings;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.Packet;
import io.tandem.api.StreamInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Throughput through the pipe into the real Suricata: every Ethernet capture of pcaps/ordinary, looped and re-stamped
 * to a monotonic clock, fed from one thread; time from the first analyze() to finish() returning.
 * Args: [packets (default 1000000)] [rules file (default: two packet-level rules)]. Run from the module folder:
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) io.tandem.analyzer.pipe.internal.bench.PipeBench}
 */
public final class PipeBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path data = Path.of(System.getProperty("tandem.data", "../../../shared/data"));
        Path rules;
        if (args.length > 1) {
            rules = Path.of(args[1]).toAbsolutePath();
        } else {
            rules = Files.createTempFile("bench", ".rules");
            Files.writeString(rules, "alert tcp any any -> any any (msg:\"tcp syn\"; flags:S; sid:9000001; rev:1;)\n"
                    + "alert udp any any -> any 53 (msg:\"dns query\"; sid:9000002; rev:1;)\n");
        }
        List<Packet> src = new ArrayList<>();
        try (Stream<Path> s = Files.list(data.resolve("pcaps/ordinary"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList()) src.addAll(ethernet(f));
        }
        long bytes = 0;
        List<Packet> feed = new ArrayList<>(n);
        long t = 1_600_000_000_000_000L;
        for (int i = 0; i < n; i++) {
            Packet p = src.get(i % src.size());
            t += 10; // 100k pps of capture time: flows time out as on a real link, not all at once
            feed.add(new Packet(t, p.wireLength(), p.data()));
            bytes += p.data().length;
        }
        AtomicLong alerts = new AtomicLong();
        PipeAnalyzer a = new PipeAnalyzer(PipeSettings.builder().rules(rules).workDir(Files.createTempDirectory("pipebench")).build());
        long t0 = System.nanoTime();
        try (AnalyzerSession s = a.open(new StreamInfo("bench", 1, 0), x -> alerts.incrementAndGet())) {
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) s.analyze(i, feed.get(i));
            s.finish();
            double sec = (System.nanoTime() - t1) / 1e9;
            System.out.printf("start %.2f s; %d packets (%.1f MB) in %.2f s: %.0f pps, %.1f MB/s; %d alerts; rules %s%n",
                    (t1 - t0) / 1e9, n, bytes / 1e6, sec, n / sec, bytes / 1e6 / sec, alerts.get(), rules);
        }
    }

    /** Ethernet (link type 1) classic pcap, little-endian microsecond only; others skipped. */
    static List<Packet> ethernet(Path f) throws Exception {
        byte[] b = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        List<Packet> out = new ArrayList<>();
        if (b.length < 24 || bb.getInt(0) != 0xa1b2c3d4 || bb.getInt(20) != 1) return out;
        int at = 24;
        while (at + 16 <= b.length) {
            int incl = bb.getInt(at + 8);
            int orig = bb.getInt(at + 12);
            at += 16;
            if (incl < 0 || at + incl > b.length) break;
            out.add(new Packet(0, Math.max(orig, incl), Arrays.copyOfRange(b, at, at + incl)));
            at += incl;
        }
        return out;
    }
}
