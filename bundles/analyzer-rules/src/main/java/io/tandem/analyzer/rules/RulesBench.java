package io.tandem.analyzer.rules;

import io.tandem.analyzer.rules.internal.PcapReader;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.Packet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Throughput of the embedded engine on real captures:
 * {@code RulesBench [--loops N] [--classification FILE] [--var NAME=VALUE]... --rules FILE|DIR... --pcaps FILE|DIR...}.
 * Each pcap is analyzed N times in a row as its own stream (a fresh session per pass, as a new capture would be);
 * prints rules loaded/skipped, packets, alerts and packets per second over the timed passes (after one warm-up pass),
 * by wall time and by the analyzing thread's CPU time (steadier on a shared machine).
 */
public final class RulesBench {
    private RulesBench() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("rules bench: " + e.getMessage());
            System.exit(2);
        }
    }

    static void run(String[] args) throws IOException {
        int loops = 10;
        Path classification = null;
        Map<String, String> vars = new HashMap<>();
        List<Path> ruleFiles = new ArrayList<>(), pcaps = new ArrayList<>();
        List<Path> into = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--loops" -> loops = Integer.parseInt(value(args, ++i, a));
                case "--classification" -> classification = Path.of(value(args, ++i, a));
                case "--var" -> {
                    String v = value(args, ++i, a);
                    int eq = v.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("--var wants NAME=VALUE, got " + v);
                    vars.put(v.substring(0, eq), v.substring(eq + 1));
                }
                case "--rules" -> into = ruleFiles;
                case "--pcaps" -> into = pcaps;
                default -> {
                    if (into == null) throw new IllegalArgumentException("usage: RulesBench [--loops N] [--classification FILE] [--var NAME=VALUE] --rules FILE|DIR... --pcaps FILE|DIR...");
                    expand(Path.of(a), into == ruleFiles ? ".rules" : "cap", into);
                }
            }
        }
        if (ruleFiles.isEmpty() || pcaps.isEmpty()) throw new IllegalArgumentException("need --rules and --pcaps");
        if (loops < 1) throw new IllegalArgumentException("--loops must be at least 1");
        long t0 = System.nanoTime();
        RuleSet rules = RuleSet.load(ruleFiles, classification, vars);
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        LoadReport r = rules.report();
        System.out.printf(Locale.ROOT, "rules: %d loaded, %d skipped, %d disabled, from %d files in %d ms%n", r.loaded(), r.skipped().size(), r.disabled(), r.files().size(), loadMs);
        List<PcapReader> captures = new ArrayList<>();
        long packetsPerPass = 0, bytesPerPass = 0;
        for (Path p : pcaps) {
            PcapReader c = PcapReader.read(p);
            captures.add(c);
            packetsPerPass += c.packets().size();
            for (Packet k : c.packets()) bytesPerPass += k.data().length;
        }
        RulesAnalyzer analyzer = new RulesAnalyzer(rules, EngineSettings.DEFAULTS);
        AtomicLong alerts = new AtomicLong();
        pass(analyzer, captures, alerts); // warm-up: JIT, first touch of the rule structures
        long alertsPerPass = alerts.getAndSet(0);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < loops; i++) pass(analyzer, captures, alerts);
        double s = (System.nanoTime() - start) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        long packets = packetsPerPass * loops;
        System.out.printf(Locale.ROOT, "pcaps: %d files, %d packets, %.1f MB per pass; %d alerts per pass%n", captures.size(), packetsPerPass, bytesPerPass / 1e6, alertsPerPass);
        System.out.printf(Locale.ROOT, "analyzed %d packets in %.2f s: %.0f packets/s, %.1f Mbit/s%n", packets, s, packets / s, bytesPerPass * 8.0 * loops / s / 1e6);
        // CPU time of the analyzing thread: the figure to compare when other work shares the machine
        if (cpu > 0) System.out.printf(Locale.ROOT, "analyzing thread CPU %.2f s: %.0f packets/s of CPU%n", cpu, packets / cpu);
    }

    private static void pass(RulesAnalyzer analyzer, List<PcapReader> captures, AtomicLong alerts) throws IOException {
        for (PcapReader c : captures) {
            try (AnalyzerSession session = analyzer.open(c.linkType(), a -> alerts.incrementAndGet())) {
                long pos = 0;
                for (Packet p : c.packets()) session.analyze(pos++, p);
                session.finish();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    private static void expand(Path p, String suffix, List<Path> into) throws IOException {
        if (Files.isDirectory(p)) {
            try (Stream<Path> s = Files.list(p)) {
                s.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().forEach(into::add);
            }
        } else if (Files.isRegularFile(p)) {
            into.add(p);
        } else {
            throw new IllegalArgumentException(p + " does not exist");
        }
    }
}
