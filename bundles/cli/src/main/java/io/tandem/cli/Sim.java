package io.tandem.cli;

import io.tandem.api.ClusterParameters;
import io.tandem.api.Packet;
import io.tandem.api.HashFunction;
import io.tandem.api.PacketHash;
import io.tandem.capture.LoopedCapture;
import io.tandem.capture.RandomDrop;
import io.tandem.sync.SyncEngine;
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
            "hashlog", "mode", "rounds", "capacity", "leader-late", "seed", "timeout", "window", "crash", "restart");

    /** What a finished run measured; the sim's report and the tests read the same figures. */
    record Report(int replicas, long sourcePackets, long bootIndex, long expected, long delivered, long setLost, long duplicated,
                  double theory, boolean identical, int[] diffVsSource, List<String> failures, List<Incarnation> incarnations) {
        /** Engines that stopped with an error (a crash injected on purpose is not one). */
        long engineFailures() {
            return incarnations.stream().filter(i -> i.failure() != null).count();
        }
    }

    /**
     * One start of one replica id: when it started and died (source packets the wire had carried; -1: it did
     * not), the stream position it delivered from, how many it delivered, and whether it delivered what every
     * other incarnation delivered at the positions both delivered.
     */
    record Incarnation(String name, long startedAt, long leftAt, long firstPosition, long delivered, boolean agrees, String failure) {
    }

    /** The {@code --drop rI=FORMAT} options by replica number (1-based); each FORMAT is checked. */
    static Map<Integer, String> drops(Args a, int replicas) {
        Map<Integer, String> drops = new HashMap<>();
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
            String spec = d.substring(eq + 1);
            try {
                RandomDrop.parse(spec, 1);
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException(e.getMessage());
            }
            drops.put(i, spec);
        }
        return drops;
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
        final List<SimCluster.Fault> faults = new java.util.ArrayList<>();

        Options(Args a) {
            source = Path.of(a.get("source", Main.defaultSource()));
            packets = a.getLong("packets", 200_000, 1, Long.MAX_VALUE);
            replicas = a.getInt("replicas", 2, 1, 64);
            drops.putAll(drops(a, replicas));
            try {
                ClusterParameters d = ClusterParameters.DEFAULTS;
                params = new ClusterParameters(a.getInt("cluster", d.clusterSize(), 2, 65536), a.getInt("anchor", d.anchorSize(), 1, 65536),
                        a.get("hash", d.hashName()), a.getInt("snippet", d.snippet(), 1, 65535));
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException(e.getMessage());
            }
            mode = a.getInt("mode", 1, 0, 1);
            rounds = a.getLong("rounds", 0, 0, Long.MAX_VALUE);
            window = a.getInt("window", SyncSettings.DEFAULT_WINDOW_LIMIT, 1, 1 << 16);
            capacity = a.getInt("capacity", 1 << 16, 1024, 1 << 26);
            // the thesis's late leader: by default a share of the run, so that any --packets leaves it something to boot on
            leaderLate = a.getLong("leader-late", Math.min(1000, packets / 200), 0, Long.MAX_VALUE);
            long boot = SyncEngine.bootSize(params);
            if (leaderLate + boot > packets) {
                throw new Args.UsageException("--leader-late " + leaderLate + " leaves the leader " + Math.max(0, packets - leaderLate)
                        + " of the " + packets + " packets, fewer than the " + boot + " it boots on: lower --leader-late or raise --packets");
            }
            for (String f : a.all("crash")) faults.add(SimCluster.Fault.parse(SimCluster.Fault.Kind.CRASH, f, replicas));
            for (String f : a.all("restart")) faults.add(SimCluster.Fault.parse(SimCluster.Fault.Kind.RESTART, f, replicas));
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
        int capacity = SimCluster.capacityFor(o.faults, o.capacity, capture.size());
        if (capacity != o.capacity) {
            out.printf(Locale.ROOT, "capacity %d (not %d): a restarted replica's queue must not reach the next loop of the %d-packet source%n",
                    capacity, o.capacity, capture.size());
        }
        SimCluster.Options co = new SimCluster.Options(capture, o.packets, o.replicas, o.drops, o.params, o.mode, o.rounds, o.window,
                capacity, o.leaderLate, o.seed, o.hashlog, true, progress);
        try (SimCluster cluster = new SimCluster(co)) {
            cluster.faults(o.faults);
            List<String> failures = cluster.run(o.timeout);
            for (String f : failures) out.println("error: " + f);
            return report(cluster, o, capture, failures, out);
        }
    }

    private static Report report(SimCluster cluster, Options o, LoopedCapture capture, List<String> failures, PrintStream out) throws IOException {
        Report rep = measure(cluster, capture, o.hashlog, failures);
        for (int i = 0; i < cluster.replicas.size(); i++) {
            SimCluster.Replica r = cluster.replicas.get(i);
            SyncStats s = r.engine.stats();
            long seen = r.capture.seen();
            double rate = seen == 0 ? 0 : (double) r.drop.dropped() / seen;
            var dbs = r.db.stats();
            out.printf(Locale.ROOT, "%s%s captured=%d random_dropped=%d (%.3f%%) recovered=%d delivered=%d rounds=%d mismatch_rounds=%d no_anchor=%d max_desync=%d diff_vs_source=%d pre_boot=%d full_drops=%d held=%d%n",
                    r.id, i == 0 ? " (leader)" : "", seen, r.drop.dropped(), 100 * rate, s.recovered(), r.log.size(), s.round(),
                    s.mismatchRounds(), s.noAnchorRounds(), s.maxDesyncLevel(), rep.diffVsSource()[i], dbs.preBootDiscarded(), dbs.droppedFull(), dbs.held());
        }
        if (cluster.incarnations.size() > cluster.replicas.size() || cluster.crashes() > 0) {
            for (Incarnation inc : rep.incarnations()) {
                out.printf(Locale.ROOT, "%s started_at=%d left_at=%s joined_at_position=%d delivered=%d agrees_with_others=%s%s%n", inc.name(), inc.startedAt(),
                        inc.leftAt() < 0 ? "-" : Long.toString(inc.leftAt()), inc.firstPosition(), inc.delivered(), inc.agrees() ? "yes" : "no",
                        inc.failure() == null ? "" : " failure=" + inc.failure());
            }
        }
        long expected = rep.expected();
        double theoryRate = expected == 0 ? 0 : rep.theory() / expected;
        out.printf(Locale.ROOT, "source: %d packets from %s, cluster started at source packet %d, %d expected after it%n",
                o.packets, o.source, rep.bootIndex(), expected);
        out.printf(Locale.ROOT, "set loss: %d packets (%.4f%%), theory (product of the replicas' loss rates): %.1f (%.4f%%); delivered twice: %d%n",
                rep.setLost(), expected == 0 ? 0 : 100.0 * rep.setLost() / expected, rep.theory(), 100 * theoryRate, rep.duplicated());
        long rejoined = rep.incarnations().stream().filter(i -> i.name().contains(".") && i.delivered() > 0).count();
        out.printf(Locale.ROOT, "sim replicas=%d packets=%d delivered=%d set_lost=%d twice=%d theory=%.1f identical=%s crashes=%d restarts=%d rejoined=%d engine_failures=%d%n",
                o.replicas, o.packets, rep.delivered(), rep.setLost(), rep.duplicated(), rep.theory(), rep.identical() && failures.isEmpty() ? "yes" : "no",
                cluster.crashes(), cluster.restarts(), rejoined, rep.engineFailures());
        return rep;
    }

    /** The stream at every position some incarnation delivered, taken from the first that delivered it. */
    private static HashLog union(List<SimCluster.Replica> incarnations, int hashLength) throws IOException {
        HashLog all = new HashLog(hashLength, null, true);
        long end = 0;
        for (SimCluster.Replica r : incarnations) if (r.firstPosition >= 0) end = Math.max(end, r.firstPosition + r.log.size());
        for (long p = 0; p < end; p++) {
            for (SimCluster.Replica r : incarnations) {
                if (r.firstPosition >= 0 && p >= r.firstPosition && p < r.firstPosition + r.log.size()) {
                    int i = (int) (p - r.firstPosition);
                    all.add(new PacketHash(r.log.hi(i), r.log.lo(i)));
                    break;
                }
            }
        }
        return all;
    }

    /**
     * The source packet the delivered stream starts at: from {@code leaderLate} on (the boot packets are packets the
     * leader captured), the source packet {@code first} is (see {@link SimCluster.Replica#firstPacket}); with none
     * known, the first one with the stream's first hash. A capture that repeats itself holds that hash at every
     * copy: the first copy may be periods before the stream's start, and the periods between would be counted as
     * lost. 0 for an empty stream, or when no source packet matches.
     */
    static long bootIndex(HashFunction hash, int snippet, LoopedCapture capture, HashLog stream, long leaderLate, long packets, Packet first) {
        if (stream.size() == 0) return 0;
        long firstCopy = -1;
        for (long i = Math.min(leaderLate, packets); i < packets; i++) {
            Packet p = capture.get(i);
            if (first != null && p.data() == first.data() && p.timestampMicros() == first.timestampMicros()) return i;
            PacketHash h = hash.hashPacket(p, snippet);
            if (firstCopy < 0 && h.hi() == stream.hi(0) && h.lo() == stream.lo(0)) {
                if (first == null) return i;
                firstCopy = i;
            }
        }
        return Math.max(0, firstCopy);
    }

    /**
     * What a finished cluster delivered against its source: the source's hashes from the first packet the cluster
     * delivered (written to {@code hashlogDir/source.hashes} when a directory is given), set loss, packets delivered
     * twice, the theory (product of the replicas' random-drop rates), whether every replica delivered the same.
     */
    static Report measure(SimCluster cluster, LoopedCapture capture, Path hashlogDir, List<String> failures) throws IOException {
        long packets = cluster.options.packets();
        int snippet = cluster.options.params().snippet();
        int hashLength = cluster.hash.length();
        // The stream: r1's, or with faults every incarnation's together (each delivered part of it).
        boolean faults = cluster.incarnations.size() > cluster.replicas.size() || cluster.crashes() > 0;
        HashLog first = faults ? union(cluster.incarnations, cluster.hash.length()) : cluster.replicas.get(0).log;
        // The source log: every source packet from the first one the cluster delivered.
        Packet firstPacket = cluster.incarnations.stream().filter(r -> r.firstPosition == 0).map(r -> r.firstPacket).findFirst().orElse(null);
        long bootIndex = bootIndex(cluster.hash, snippet, capture, first, cluster.options.leaderLate(), packets, firstPacket);
        HashLog source = new HashLog(hashLength, hashlogDir == null ? null : hashlogDir.resolve("source.hashes"), true);
        for (long i = bootIndex; i < packets; i++) source.add(cluster.hash.hashPacket(capture.get(i), snippet));
        source.close();

        long expected = packets - bootIndex;
        double theoryRate = 1;
        boolean identical = true;
        int[] diffs = new int[cluster.replicas.size()];
        for (int i = 0; i < cluster.replicas.size(); i++) {
            SimCluster.Replica r = cluster.replicas.get(i);
            long seen = r.capture.seen();
            theoryRate *= seen == 0 ? 0 : (double) r.drop.dropped() / seen;
            if (!faults) identical &= r.log.sameAs(first);
            diffs[i] = source.diffLines(r.log, 1 << 14);
        }
        List<Incarnation> incarnations = new java.util.ArrayList<>();
        for (SimCluster.Replica r : cluster.incarnations) {
            boolean agrees = true;
            for (SimCluster.Replica other : cluster.incarnations) if (other != r) agrees &= SimCluster.agree(r, other);
            identical &= agrees;
            String name = r.incarnation == 0 ? r.id : r.id + "." + r.incarnation;
            incarnations.add(new Incarnation(name, r.startedAt, r.leftAt, r.firstPosition, r.log.size(), agrees, r.engine.failure()));
        }
        long[] missingAndExtra = first.missingAndExtra(source);
        return new Report(cluster.replicas.size(), packets, bootIndex, expected, first.size(), missingAndExtra[0], missingAndExtra[1],
                theoryRate * expected, identical, diffs, failures, incarnations);
    }
}
