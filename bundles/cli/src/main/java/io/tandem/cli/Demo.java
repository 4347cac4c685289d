package io.tandem.cli;

import io.tandem.alerts.AlertOutputs;
import io.tandem.alerts.ReportedAlert;
import io.tandem.alerts.TandemAlertFilter;
import io.tandem.analyzer.rules.EngineSettings;
import io.tandem.analyzer.rules.RuleSet;
import io.tandem.analyzer.rules.RulesAnalyzer;
import io.tandem.api.AlertFilter;
import io.tandem.api.Analyzer;
import io.tandem.sync.FeederStats;
import io.tandem.api.ClusterParameters;
import io.tandem.capture.LoopedCapture;
import io.tandem.sync.SyncSettings;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./tandem demo}: three replicas on 127.0.0.1 (each its own hash database, engine and MINA sockets) see the
 * everyday captures at a fixed packet rate, each losing its own random 2 %; a progress line every two seconds, then
 * a short report: what each replica captured, dropped, recovered and delivered, the set loss against theory, and
 * whether every replica delivered the same stream.
 */
final class Demo {
    static final Set<String> OPTIONS = Set.of("source", "pps", "seconds", "packets", "replicas", "drop", "seed", "timeout");
    /** Three replicas analyzing with ET Open in one 2-core JVM keep up with this rate (docs/benchmarks.md). */
    static final long DEFAULT_PPS = 10_000;
    static final long DEFAULT_SECONDS = 20;
    /** 2 % (thesis format: out of 100000). */
    static final String DEFAULT_DROP = "2000";

    private Demo() {
    }

    /** What the demo ran and measured; the report and the tests read the same figures. */
    record Report(Sim.Report sim, long pps, double seconds, double wirePps, long seed, List<ReplicaFigures> replicas,
                  List<ReportedAlert> operatorAlerts, SplitAttack.Outcome splitAttack) {
        boolean identical() {
            return sim.identical() && sim.failures().isEmpty();
        }

        Report withSplitAttack(SplitAttack.Outcome split) {
            return new Report(sim, pps, seconds, wirePps, seed, replicas, operatorAlerts, split);
        }

        /** Distinct alerts the operator saw more than once. */
        long reportedTwice() {
            return operatorAlerts.size() - operatorAlerts.stream().map(a -> a.alert().key()).distinct().count();
        }
    }

    /** One replica's counters at the end; {@code analyzed}, {@code alerts}: its feeder's analyzer. */
    record ReplicaFigures(String id, boolean leader, String drop, long captured, long dropped, long recovered, long delivered,
                          long analyzed, long feederDropped, long alerts) {
        double lossRate() {
            return captured == 0 ? 0 : (double) dropped / captured;
        }
    }

    static final class Options {
        final List<Path> sources;
        final long pps;
        final long packets;
        final int replicas;
        final Map<Integer, String> drops = new HashMap<>();
        final long seed;
        final long timeout;

        Options(Args a) {
            String given = a.get("source", null);
            sources = given == null ? List.of(Main.dataFolder().resolve("pcaps/ordinary"), Main.dataFolder().resolve("pcaps/attacks"))
                    : java.util.Arrays.stream(given.split(",")).map(String::trim).filter(x -> !x.isEmpty()).map(Path::of).toList();
            pps = a.getLong("pps", DEFAULT_PPS, 100, 1_000_000);
            if (a.get("seconds", null) != null && a.get("packets", null) != null) {
                throw new Args.UsageException("give --seconds or --packets, not both");
            }
            long seconds = a.getLong("seconds", DEFAULT_SECONDS, 1, 3600);
            packets = a.get("packets", null) != null ? a.getLong("packets", 0, 1000, 1_000_000_000L) : seconds * pps;
            replicas = a.getInt("replicas", 3, 2, 16);
            for (int i = 1; i <= replicas; i++) drops.put(i, DEFAULT_DROP);
            drops.putAll(Sim.drops(a, replicas));
            seed = a.get("seed", null) != null ? a.getLong("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE) : new SecureRandom().nextInt(1_000_000);
            timeout = a.getLong("timeout", Math.max(60, 3 * packets / pps + 30), 1, 86_400);
        }
    }

    static int main(Args a, PrintStream out) throws Exception {
        Options o = new Options(a);
        for (Path p : o.sources) {
            if (!Files.exists(p)) throw new Args.UsageException("no capture at " + p + " (give --source FILE|FOLDER[,FILE|FOLDER...])");
        }
        LoopedCapture capture = LoopedCapture.load(o.sources);
        Report r = run(o, capture, out);
        return r.identical() ? 0 : 1;
    }

    static Report run(Options o, LoopedCapture capture, PrintStream out) throws IOException, InterruptedException {
        out.printf(Locale.ROOT, "tandem demo: %d replicas on 127.0.0.1 (each its own hash database, sync engine and TCP sockets)%n", o.replicas);
        out.printf(Locale.ROOT, "  traffic: %s (%d packets, looped) at %d packets/s: %d packets, %.0f s%n",
                o.sources.stream().map(p -> p.toAbsolutePath().normalize().toString()).collect(java.util.stream.Collectors.joining(" + ")), capture.size(), o.pps, o.packets, (double) o.packets / o.pps);
        StringBuilder drops = new StringBuilder();
        for (int i = 1; i <= o.replicas; i++) drops.append(i == 1 ? "" : ", ").append('r').append(i).append(' ').append(describeDrop(o.drops.get(i)));
        out.printf(Locale.ROOT, "  random drop, independent at each replica (seed %d): %s%n", o.seed, drops);
        SimCluster.Options co = new SimCluster.Options(capture, o.packets, o.replicas, o.drops, ClusterParameters.DEFAULTS, 1, 0,
                SyncSettings.DEFAULT_WINDOW_LIMIT, 1 << 16, 0, o.seed, null, true, null, o.pps);
        RuleSet rules = demoRules();
        out.printf(Locale.ROOT, "  analysis: the embedded rules engine with %s (%d rules loaded, %d skipped), an alert filter per replica%n",
                DEMO_RULES, rules.report().loaded(), rules.report().skipped().size());
        List<ReportedAlert> reported = new ArrayList<>();
        List<TandemAlertFilter> filters = new ArrayList<>();
        SimCluster cluster = new SimCluster(co, new SimCluster.Analysis() {
            @Override
            public Analyzer analyzer(String replicaId) {
                return new RulesAnalyzer(rules, EngineSettings.DEFAULTS);
            }

            @Override
            public AlertFilter filter(String replicaId) {
                TandemAlertFilter f = TandemAlertFilter.builder().output(AlertOutputs.collect(reported)).build();
                filters.add(f);
                return f;
            }
        });
        Report report;
        try {
            Thread progress = new Thread(() -> progress(cluster, out), "tandem-demo-progress");
            progress.setDaemon(true);
            progress.start();
            List<String> failures;
            try {
                failures = new ArrayList<>(cluster.run(o.timeout));
                if (failures.isEmpty()) {
                    failures.addAll(cluster.finishAnalysis(60));
                }
            } finally {
                progress.interrupt();
                progress.join(1000);
            }
            for (String f : failures) out.println("error: " + f);
            Sim.Report sim = Sim.measure(cluster, capture, null, failures);
            List<ReplicaFigures> figures = new ArrayList<>();
            for (int i = 0; i < cluster.replicas.size(); i++) {
                SimCluster.Replica r = cluster.replicas.get(i);
                FeederStats f = r.feeder.stats();
                figures.add(new ReplicaFigures(r.id, i == 0, o.drops.get(i + 1), r.capture.seen(), r.drop.dropped(), r.engine.stats().recovered(),
                        r.log.size(), f.analyzed(), f.droppedFull(), f.alertsRaised()));
            }
            List<ReportedAlert> seen;
            synchronized (reported) {
                seen = new ArrayList<>(reported);
            }
            report = new Report(sim, o.pps, cluster.seconds(), cluster.wirePps(), o.seed, figures, seen, null);
        } finally {
            cluster.closeQuietly();
            for (TandemAlertFilter f : filters) f.close();
        }
        print(report, out);
        out.println();
        SplitAttack.Outcome split = SplitAttack.run(Main.dataFolder(), "rules");
        SplitAttack.print(split, out);
        return report.withSplitAttack(split);
    }

    /** Every two seconds: what each replica delivered and recovered so far, and the rate of the aligned stream. */
    private static void progress(SimCluster cluster, PrintStream out) {
        long start = System.nanoTime();
        long last = start;
        long before = 0;
        try {
            while (true) {
                Thread.sleep(2000);
                long now = System.nanoTime();
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%5.1fs ", (now - start) / 1e9));
                for (SimCluster.Replica r : cluster.replicas) {
                    var s = r.engine.stats();
                    line.append(String.format(Locale.ROOT, " %s %d delivered, %d recovered%s |", r.id, s.delivered(), s.recovered(),
                            r.engine.booted() ? "" : " (booting)"));
                }
                long delivered = cluster.replicas.get(0).engine.stats().delivered();
                line.append(String.format(Locale.ROOT, " %.0f packets/s, heap after GC %d MiB", (delivered - before) / ((now - last) / 1e9),
                        heapAfterGc() >> 20));
                before = delivered;
                last = now;
                out.println(line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void print(Report r, PrintStream out) {
        Sim.Report s = r.sim();
        out.println();
        out.printf(Locale.ROOT, "%-13s %10s %17s %10s %10s %10s %8s%n", "replica", "captured", "dropped", "recovered", "delivered", "analyzed", "alerts");
        for (ReplicaFigures f : r.replicas()) {
            out.printf(Locale.ROOT, "%-13s %10d %17s %10d %10d %10s %8d%n", f.id() + (f.leader() ? " (leader)" : ""), f.captured(),
                    String.format(Locale.ROOT, "%d (%.2f %%)", f.dropped(), 100 * f.lossRate()), f.recovered(), f.delivered(),
                    f.analyzed() + (f.feederDropped() > 0 ? " (" + f.feederDropped() + " dropped: analyzer too slow)" : ""), f.alerts());
        }
        out.println();
        double theoryRate = s.expected() == 0 ? 0 : s.theory() / s.expected();
        out.printf(Locale.ROOT, "set loss    %d of %d packets lost by every replica (%.4f %%); theory, the product of the loss rates: %.1f (%.4f %%)%n",
                s.setLost(), s.expected(), s.expected() == 0 ? 0 : 100.0 * s.setLost() / s.expected(), s.theory(), 100 * theoryRate);
        out.printf(Locale.ROOT, "identical  %s: %s%n", r.identical() ? "yes" : "no",
                r.identical() ? "every replica delivered the same " + s.delivered() + " packets in the same order"
                        : "the replicas' streams differ" + (s.failures().isEmpty() ? "" : " (" + String.join("; ", s.failures()) + ")"));
        if (s.duplicated() > 0) out.printf(Locale.ROOT, "twice      %d packets delivered twice (docs/sync.md, \"Known limit\")%n", s.duplicated());
        out.printf(Locale.ROOT, "alerts     the operator saw %d distinct alerts%s (each replica raised its own; the alert filters agreed who reports each)%n",
                r.operatorAlerts().size() - r.reportedTwice(), r.reportedTwice() == 0 ? ", each once" : ", " + r.reportedTwice() + " of them twice");
        r.operatorAlerts().stream().collect(java.util.stream.Collectors.groupingBy(a -> a.alert().signature(), java.util.TreeMap::new,
                java.util.stream.Collectors.counting())).forEach((sig, n) -> out.printf(Locale.ROOT, "           %4d  %s%n", n, sig));
        out.printf(Locale.ROOT, "time       %.1f s, traffic at %.0f packets/s%n", r.seconds(), r.wirePps());
        out.printf(Locale.ROOT, "demo replicas=%d pps=%d packets=%d delivered=%d set_lost=%d twice=%d theory=%.1f identical=%s seconds=%.1f alerts=%d reported_twice=%d feeder_dropped=%d%n",
                s.replicas(), r.pps(), s.sourcePackets(), s.delivered(), s.setLost(), s.duplicated(), s.theory(), r.identical() ? "yes" : "no", r.seconds(),
                r.operatorAlerts().size(), r.reportedTwice(), r.replicas().stream().mapToLong(ReplicaFigures::feederDropped).sum());
    }

    /**
     * Heap in use right after the JVM's last garbage collection (young collections included): what the replicas,
     * their queues and their analyzers hold, unlike the heap in use now, which saws up and down with garbage.
     */
    static long heapAfterGc() {
        com.sun.management.GcInfo last = null;
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean sun) {
                com.sun.management.GcInfo info = sun.getLastGcInfo();
                if (info != null && (last == null || info.getEndTime() > last.getEndTime())) last = info;
            }
        }
        if (last == null) return 0;
        long used = 0;
        for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            java.lang.management.MemoryUsage u = last.getMemoryUsageAfterGc().get(pool.getName());
            if (pool.getType() == java.lang.management.MemoryType.HEAP && u != null) used += u.getUsed();
        }
        return used;
    }

    /** The rule set the demo's replicas analyze with, under the shared data folder. */
    static final String DEMO_RULES = "rules/et-open-rules";

    static RuleSet demoRules() throws IOException {
        Path dir = Main.dataFolder().resolve(DEMO_RULES);
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".rules")).sorted().toList();
        }
        return RuleSet.load(files, dir.resolve("classification.config"), Map.of());
    }

    /** "2000" -> "2 %"; a drop period spec stays as written. */
    static String describeDrop(String spec) {
        if (spec == null || spec.equals("0")) return "none";
        try {
            return new java.math.BigDecimal(spec).movePointLeft(3).stripTrailingZeros().toPlainString() + " %";
        } catch (NumberFormatException e) {
            return spec;
        }
    }
}
