package io.tandem.cli;

import io.tandem.api.ClusterParameters;
import io.tandem.api.PacketHash;
import io.tandem.capture.LoopedCapture;
import io.tandem.sync.SyncSettings;
import io.tandem.sync.SyncStats;


import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code ./tandem sim}: a replica set in one JVM over real sockets, and how close it came to the source. */
final class Sim {
    static final Set<String> OPTIONS = Set.of("source", "packets", "replicas", "drop", "cluster", "anchor", "hash", "snippet",
            "hashlog", "mode", "rounds", "capacity", "leader-late", "seed", "timeout", "window");

    /** What a finished run measured; the sim's report and the tests read the same figures. */
    record Report(int replicas, long sourcePackets, long bootIndex, long expected, long delivered, long setLost, long duplicated,
                  double theory, boolean identical, int[] diffVsSource, List<String> failures) {
    }

    static Options parse(Args a) {
        return new Options(a);
    }

    static final class Options {
        final Path source;
        final long packets;
        final int replicas;
        final Map<Integer, String> drops = new HashMap<>();
        final ClusterParameters params;
        final int mode;
        final long rounds;
        final int window;
        final int capacity;
        final long leaderLate;
        final long seed;
        final Path hashlog;
        final long timeout;

        Options(Args a) {
            source = Path.of(a.get("source", Main.defaultSource()));
            packets = a.getLong("packets", 200_000, 1, Long.MAX_VALUE);
            replicas = a.getInt("replicas", 2, 1, 64);
            for (String d : a.all("drop")) {
                int eq = d.indexOf('=');
                if (!d.startsWith("r") || eq < 2) throw new Args.UsageException("--drop takes rI=FORMAT (e.g. r2=2500), not '" + d + "'");
                int i;
                try {
                    i = Integer.parseInt(d.substring(1, eq));
                } catch (NumberFormatException e) {
                    throw new Args.UsageException("--drop takes rI=FORMAT with I a replica number, not '" + d + "'");
                }
                if (i < 1 || i > replicas) throw new Args.UsageException("--drop " + d + ": there is no replica r" + i + " (replicas: " + replicas + ")");
                drops.put(i, d.substring(eq + 1));
            }
            try {
                params = new ClusterParameters(a.getInt("cluster", 56, 2, 65536), a.getInt("anchor", 4, 1, 65536),
                        a.get("hash", "md5"), a.getInt("snippet", 56, 1, 65535));
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException(e.getMessage());
            }
            mode = a.getInt("mode", 1, 0, 1);
            rounds = a.getLong("rounds", 0, 0, Long.MAX_VALUE);
            window = a.getInt("window", SyncSettings.DEFAULT_WINDOW_LIMIT, 1, 1 << 16);
            capacity = a.getInt("capacity", 1 << 16, 1024, 1 << 26);
            leaderLate = a.getLong("leader-late", 1000, 0, Long.MAX_VALUE);
            seed = a.getLong("seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);
            String h = a.get("hashlog", null);
            hashlog = h == null ? null : Path.of(h);
            timeout = a.getLong("timeout", 600, 1, 86_400);
        }
    }

    static int main(Args a, PrintStream out) throws Exception {
        Options o = parse(a);
        LoopedCapture capture = LoopedCapture.load(o.source);
        if (o.hashlog != null) Files.createDirectories(o.hashlog);
        Report r = run(o, capture, out, System.err);
        return r.failures().isEmpty() ? 0 : 1;
    }

    static Report run(Options o, LoopedCapture capture, PrintStream out, PrintStream progress) throws IOException, InterruptedException {
        SimCluster.Options co = new SimCluster.Options(capture, o.packets, o.replicas, o.drops, o.params, o.mode, o.rounds, o.window,
                o.capacity, o.leaderLate, o.seed, o.hashlog, true, progress);
        try (SimCluster cluster = new SimCluster(co)) {
            List<String> failures = cluster.run(o.timeout);
            for (String f : failures) out.println("error: " + f);
            return report(cluster, o, capture, failures, out);
        }
    }

    private static Report report(SimCluster cluster, Options o, LoopedCapture capture, List<String> failures, PrintStream out) throws IOException {
        int hashLength = cluster.hash.length();
        HashLog first = cluster.replicas.get(0).log;
        // The source log: every source packet from the first one the cluster delivered.
        long bootIndex = 0;
        if (first.size() > 0) {
            bootIndex = -1;
            for (long i = 0; i < o.packets && bootIndex < 0; i++) {
                PacketHash h = cluster.hash.hashPacket(capture.get(i), o.params.snippet());
                if (h.hi() == first.hi(0) && h.lo() == first.lo(0)) bootIndex = i;
            }
            if (bootIndex < 0) bootIndex = 0;
        }
        HashLog source = new HashLog(hashLength, o.hashlog == null ? null : o.hashlog.resolve("source.hashes"), true);
        for (long i = bootIndex; i < o.packets; i++) source.add(cluster.hash.hashPacket(capture.get(i), o.params.snippet()));
        source.close();

        long expected = o.packets - bootIndex;
        double theoryRate = 1;
        boolean identical = true;
        int[] diffs = new int[cluster.replicas.size()];
        for (int i = 0; i < cluster.replicas.size(); i++) {
            SimCluster.Replica r = cluster.replicas.get(i);
            SyncStats s = r.engine.stats();
            long seen = r.capture.seen();
            double rate = seen == 0 ? 0 : (double) r.drop.dropped() / seen;
            theoryRate *= rate;
            identical &= r.log.sameAs(first);
            diffs[i] = source.diffLines(r.log, 1 << 14);
            var dbs = r.db.stats();
            out.printf(Locale.ROOT, "%s%s captured=%d random_dropped=%d (%.3f%%) recovered=%d delivered=%d rounds=%d mismatch_rounds=%d no_anchor=%d max_desync=%d diff_vs_source=%d pre_boot=%d full_drops=%d held=%d%n",
                    r.id, i == 0 ? " (leader)" : "", seen, r.drop.dropped(), 100 * rate, s.recovered(), r.log.size(), s.round(),
                    s.mismatchRounds(), s.noAnchorRounds(), s.maxDesyncLevel(), diffs[i], dbs.preBootDiscarded(), dbs.droppedFull(), dbs.held());
        }
        long delivered = first.size();
        long[] missingAndExtra = first.missingAndExtra(source);
        long setLost = missingAndExtra[0];
        long duplicated = missingAndExtra[1];
        double theory = theoryRate * expected;
        out.printf(Locale.ROOT, "source: %d packets from %s, cluster started at source packet %d, %d expected after it%n",
                o.packets, o.source, bootIndex, expected);
        out.printf(Locale.ROOT, "set loss: %d packets (%.4f%%), theory (product of the replicas' loss rates): %.1f (%.4f%%); delivered twice: %d%n",
                setLost, expected == 0 ? 0 : 100.0 * setLost / expected, theory, 100 * theoryRate, duplicated);
        out.printf(Locale.ROOT, "sim replicas=%d packets=%d delivered=%d set_lost=%d theory=%.1f identical=%s%n",
                o.replicas, o.packets, delivered, setLost, theory, identical && failures.isEmpty() ? "yes" : "no");
        return new Report(o.replicas, o.packets, bootIndex, expected, delivered, setLost, duplicated, theory, identical, diffs, failures);
    }
}
