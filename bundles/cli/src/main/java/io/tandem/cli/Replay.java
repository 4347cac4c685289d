package io.tandem.cli;

import io.tandem.alerts.AlertOutputs;
import io.tandem.alerts.EveJson;
import io.tandem.alerts.ReportedAlert;
import io.tandem.alerts.TandemAlertFilter;
import io.tandem.api.AlertFilter;
import io.tandem.api.AlertKey;
import io.tandem.api.Analyzer;
import io.tandem.api.ClusterParameters;
import io.tandem.capture.LoopedCapture;
import io.tandem.sync.FeederStats;
import io.tandem.sync.SyncSettings;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code ./tandem replay DIR}: one suricata-verify style folder (a pcap and {@code test.rules}) through an in-process
 * cluster over real sockets, each replica losing its own packets, each analyzing its aligned stream and reporting
 * through its alert filter; prints every alert the operator would see, once, as an EVE JSON line, then a summary.
 */
final class Replay {
    static final Set<String> OPTIONS = Set.of("analyzer", "replicas", "drop", "loss", "seed", "timeout");

    /**
     * Cluster parameters of a replay: the defaults but the anchor, 2 packets: a boot needs l consecutive packets at
     * increasing positions at every replica, and a short test capture often retransmits one of its first packets,
     * whose copies the boot search cannot tell apart (the live default, 4, then starts the stream after them).
     */
    static final ClusterParameters PARAMS = new ClusterParameters(ClusterParameters.DEFAULTS.clusterSize(), 2,
            ClusterParameters.DEFAULTS.hashName(), ClusterParameters.DEFAULTS.snippet());

    /**
     * What a replay gave.
     *
     * @param reported   every alert the operator saw (all replicas' outputs together), in position order
     * @param raised     alerts raised by all replicas' analyzers together (each distinct one about N times)
     * @param stream     how the aligned stream compares with the pcap
     * @param feeders    each replica's feeder counters
     * @param lost       packets each replica lost on purpose (its drop)
     */
    record Result(VerifyFolder folder, String analyzer, List<ReportedAlert> reported, long raised, Sim.Report stream,
                  List<FeederStats> feeders, long[] lost, List<String> failures) {

        /** Distinct alerts reported more than once (by two replicas, or twice by one). */
        int reportedTwice() {
            Set<AlertKey> seen = new HashSet<>();
            int twice = 0;
            for (ReportedAlert r : reported) if (!seen.add(r.alert().key())) twice++;
            return twice;
        }

        /** Reported alerts of this signature. */
        long count(long sid) {
            return reported.stream().filter(r -> r.alert().sid() == sid).count();
        }
    }

    static int main(Args a, PrintStream out) throws Exception {
        if (a.positional().size() != 1) throw new Args.UsageException("replay needs one folder: ./tandem replay DIR [options]");
        VerifyFolder folder = VerifyFolder.read(Path.of(a.positional().get(0)));
        String analyzer = a.get("analyzer", "rules");
        if (!analyzer.equals("rules") && !analyzer.equals("suricata")) {
            throw new Args.UsageException("--analyzer must be rules or suricata, not '" + analyzer + "'");
        }
        int replicas = a.getInt("replicas", 2, 1, 16);
        Map<Integer, String> drops = Sim.drops(a, replicas);
        long seed = a.getLong("seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);
        String loss = a.get("loss", null);
        if (loss != null) {
            if (!drops.isEmpty()) throw new Args.UsageException("--loss and --drop exclude each other");
            double percent;
            try {
                percent = Double.parseDouble(loss.replace("%", "").trim());
            } catch (NumberFormatException e) {
                percent = -1;
            }
            if (!(percent >= 0 && percent < 100)) throw new Args.UsageException("--loss must be a percentage 0..99.9, not '" + loss + "'");
            drops = independentLoss(LoopedCapture.load(folder.pcap()), replicas, percent / 100, seed);
        }
        Result r = run(folder, analyzer, replicas, drops, seed, a.getLong("timeout", 120, 1, 3600));
        for (ReportedAlert x : r.reported()) out.println(EveJson.line(x.alert(), x.reporter()));
        out.println(summary(r));
        return r.failures().isEmpty() ? 0 : 1;
    }

    static String summary(Result r) {
        Sim.Report s = r.stream();
        long dropped = r.feeders().stream().mapToLong(FeederStats::droppedFull).sum();
        return String.format(Locale.ROOT,
                "replay %s: analyzer=%s replicas=%d packets=%d lost_by_replica=%s delivered=%d set_lost=%d in_pcap_order=%s identical=%s alerts=%d raised=%d reported_twice=%d feeder_dropped=%d%s",
                r.folder().name(), r.analyzer(), s.replicas(), s.sourcePackets(), java.util.Arrays.toString(r.lost()).replace(" ", ""),
                s.delivered(), s.setLost(), s.diffVsSource()[0] == 0 ? "yes" : "no", s.identical() ? "yes" : "no", r.reported().size(), r.raised(), r.reportedTwice(), dropped,
                r.failures().isEmpty() ? "" : " failures=" + r.failures());
    }

    /**
     * Independent loss for a replay: each replica drops each packet with probability {@code p}, except the first
     * anchor (every replica holds it, so the aligned stream starts at the pcap's first packet), and so that the
     * stream is the whole pcap in its order and the alerts can be compared with Suricata's on the pcap itself: a
     * packet every replica would drop is kept by one of them, and two neighbouring packets are always both held by
     * one replica (when none holds both, their order is not known to the cluster: docs/sync.md, "Known limits"),
     * and a frame the capture repeats byte for byte (a retransmission) is held by all (copies of one hash are told
     * apart by their order only). Returns {@code #...} drop formats by replica number.
     */
    static Map<Integer, String> independentLoss(LoopedCapture capture, int replicas, double p, long seed) {
        int packets = capture.size();
        Map<java.nio.ByteBuffer, Integer> copies = new HashMap<>();
        for (int n = 0; n < packets; n++) copies.merge(java.nio.ByteBuffer.wrap(capture.get(n).data()), 1, Integer::sum);
        SplittableRandom random = new SplittableRandom(seed);
        List<List<Integer>> lost = new ArrayList<>();
        for (int i = 0; i < replicas; i++) lost.add(new ArrayList<>());
        int anchor = Math.min(PARAMS.anchorSize(), packets);
        boolean[] held = new boolean[replicas];
        java.util.Arrays.fill(held, true);
        for (int n = anchor; n < packets; n++) {
            boolean[] drop = new boolean[replicas];
            boolean pairHeld = false;
            boolean repeated = copies.get(java.nio.ByteBuffer.wrap(capture.get(n).data())) > 1;
            for (int i = 0; i < replicas; i++) {
                drop[i] = random.nextDouble() < p && !repeated;
                pairHeld |= held[i] && !drop[i];
            }
            if (!pairHeld) { // keep this packet at a replica that holds the one before (one always does)
                int keep = random.nextInt(replicas);
                while (!held[keep]) keep = (keep + 1) % replicas;
                drop[keep] = false;
            }
            for (int i = 0; i < replicas; i++) {
                if (drop[i]) lost.get(i).add(n);
                held[i] = !drop[i];
            }
        }
        Map<Integer, String> drops = new HashMap<>();
        for (int i = 0; i < replicas; i++) {
            if (lost.get(i).isEmpty()) continue;
            StringBuilder b = new StringBuilder("#");
            for (int n : lost.get(i)) b.append(b.length() > 1 ? "," : "").append(n);
            drops.put(i + 1, b.toString());
        }
        return drops;
    }

    static Result run(VerifyFolder folder, String analyzer, int replicas, Map<Integer, String> drops, long seed, long timeoutSeconds)
            throws IOException, InterruptedException {
        LoopedCapture capture = LoopedCapture.load(folder.pcap());
        Path work = Files.createTempDirectory("tandem-replay-");
        List<ReportedAlert> reported = new ArrayList<>();
        List<TandemAlertFilter> filters = new ArrayList<>();
        SimCluster.Analysis analysis = new SimCluster.Analysis() {
            @Override
            public Analyzer analyzer(String replicaId) throws IOException {
                return Analyzers.forFolder(analyzer, folder, work.resolve(replicaId));
            }

            @Override
            public AlertFilter filter(String replicaId) {
                TandemAlertFilter f = TandemAlertFilter.builder().output(AlertOutputs.collect(reported)).finishTimeoutMillis(3000).build();
                filters.add(f);
                return f;
            }
        };
        SimCluster.Options o = new SimCluster.Options(capture, capture.size(), replicas, drops, PARAMS, 1, 0, SyncSettings.DEFAULT_WINDOW_LIMIT,
                1 << 16, 0, seed, null, true, null);
        SimCluster cluster = new SimCluster(o, analysis);
        try {
            List<String> failures = new ArrayList<>(cluster.run(timeoutSeconds));
            if (failures.isEmpty()) { // a cluster that failed delivers no end of stream for the analyzers to finish
                failures.addAll(cluster.finishAnalysis(timeoutSeconds));
            }
            Sim.Report stream = Sim.measure(cluster, capture, null, failures);
            List<FeederStats> feeders = new ArrayList<>();
            long raised = 0;
            long[] lost = new long[replicas];
            for (int i = 0; i < replicas; i++) lost[i] = cluster.replicas.get(i).drop.dropped();
            for (SimCluster.Replica r : cluster.replicas) {
                FeederStats f = r.feeder.stats();
                feeders.add(f);
                raised += f.alertsRaised();
            }
            List<ReportedAlert> all;
            synchronized (reported) {
                all = new ArrayList<>(reported);
            }
            all.sort(Comparator.comparingLong((ReportedAlert x) -> x.alert().position()).thenComparingLong(x -> x.alert().sid()));
            return new Result(folder, analyzer, all, raised, stream, feeders, lost, failures);
        } finally {
            cluster.closeQuietly();
            for (TandemAlertFilter f : filters) f.close();
            deleteTree(work);
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is not worth failing a replay for
        }
    }
}
