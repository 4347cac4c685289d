package io.tandem.cli;

import io.tandem.api.Alert;
import io.tandem.api.Analyzer;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.StreamInfo;
import io.tandem.capture.LoopedCapture;
import io.tandem.capture.RandomDrop;
import io.tandem.sync.FeederStats;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The split attack, the reason Tandem exists: an exploit kit's payload download whose detection needs two segments
 * of one TCP stream (pcaps/attacks/ek_to_cryptowall4.pcap, the signature in {@code split-attack.rules}). Replica 1
 * loses the segment with the response header, replica 2 the one with the payload bytes; no packet is lost by both.
 * The same analyzer fed each replica's own capture misses it twice; through Tandem every replica detects it and the
 * operator sees it once.
 */
final class SplitAttack {
    static final String PCAP = "pcaps/attacks/ek_to_cryptowall4.pcap";
    static final long SID = 9_000_001;
    /** Packet 133 carries the "Content-Type: application/octet-stream" header, packet 135 the payload bytes. */
    static final Map<Integer, String> DROPS = Map.of(1, "#133", 2, "#135");

    /**
     * @param rawAlerts  per replica, alerts of the signature when its own capture alone is analyzed
     * @param tandem     the run through the cluster
     * @param raisedBy   per replica, alerts its analyzer raised in the cluster
     */
    record Outcome(String analyzer, long[] rawAlerts, Replay.Result tandem, long[] raisedBy) {
        boolean shown() {
            for (long raw : rawAlerts) if (raw != 0) return false;
            for (long r : raisedBy) if (r < 1) return false;
            return tandem.count(SID) == 1 && tandem.reportedTwice() == 0 && tandem.failures().isEmpty();
        }
    }

    static Outcome run(Path data, String analyzer) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("tandem-split-attack-");
        try {
            Path rules = work.resolve("split-attack.rules");
            try (InputStream in = SplitAttack.class.getResourceAsStream("split-attack.rules")) {
                if (in == null) throw new IOException("split-attack.rules is missing from the launcher");
                Files.copy(in, rules);
            }
            VerifyFolder folder = new VerifyFolder("split-attack", data.resolve(PCAP), rules, List.of(), Map.of(), false);
            LoopedCapture capture = LoopedCapture.load(folder.pcap());
            long[] raw = new long[DROPS.size()];
            for (int i = 1; i <= DROPS.size(); i++) raw[i - 1] = alone(capture, RandomDrop.parse(DROPS.get(i), i),
                    Analyzers.forFolder(analyzer, folder, work.resolve("alone-r" + i)));
            Replay.Result r = Replay.run(folder, analyzer, DROPS.size(), new TreeMap<>(DROPS), 1, 120);
            long[] raisedBy = r.feeders().stream().mapToLong(FeederStats::alertsRaised).toArray();
            return new Outcome(analyzer, raw, r, raisedBy);
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The analyzer on one replica's capture alone (the pcap less what that replica drops): alerts of the signature. */
    private static long alone(LoopedCapture capture, RandomDrop drop, Analyzer analyzer) throws IOException, InterruptedException {
        List<Alert> alerts = new ArrayList<>();
        try (AnalyzerSession s = analyzer.open(new StreamInfo("alone", capture.linkType(), 0), a -> {
            synchronized (alerts) {
                alerts.add(a);
            }
        })) {
            long position = 0;
            for (int i = 0; i < capture.size(); i++) {
                if (!drop.drop(capture.get(i))) s.analyze(position++, capture.get(i));
            }
            s.finish();
        }
        synchronized (alerts) {
            return alerts.stream().filter(a -> a.sid() == SID).count();
        }
    }

    static void print(Outcome o, PrintStream out) {
        out.printf(Locale.ROOT, "split attack  %s: exploit kit payload download split over one TCP stream (sid %d); r1 loses packet 133, r2 packet 135%n",
                PCAP, SID);
        for (int i = 0; i < o.rawAlerts().length; i++) {
            out.printf(Locale.ROOT, "  r%d alone (the %s analyzer on its own capture): %s%n", i + 1, o.analyzer(),
                    o.rawAlerts()[i] == 0 ? "missed" : "detected (" + o.rawAlerts()[i] + ")");
        }
        out.printf(Locale.ROOT, "  through Tandem: detected by %d of %d replicas, the operator saw it %d time(s)%n",
                java.util.Arrays.stream(o.raisedBy()).filter(n -> n > 0).count(), o.raisedBy().length, o.tandem().count(SID));
        out.printf(Locale.ROOT, "split_attack analyzer=%s alone=%s tandem_replicas_detecting=%d operator_alerts=%d shown=%s%n", o.analyzer(),
                java.util.Arrays.toString(o.rawAlerts()).replace(" ", ""), java.util.Arrays.stream(o.raisedBy()).filter(n -> n > 0).count(),
                o.tandem().count(SID), o.shown() ? "yes" : "no");
    }
}
