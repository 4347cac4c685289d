package io.tandem.cli;

import io.tandem.api.AlertFilter;
import io.tandem.api.AlertFilterSession;
import io.tandem.api.Analyzer;
import io.tandem.api.ClusterParameters;
import io.tandem.api.HashDatabase;
import io.tandem.api.HashFunction;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.PacketSource;
import io.tandem.api.SyncListener;
import io.tandem.capture.CaptureLoop;
import io.tandem.capture.LoopedCapture;
import io.tandem.capture.RandomDrop;
import io.tandem.hashdb.HashFunctions;
import io.tandem.hashdb.PacketHashDatabase;
import io.tandem.peer.MinaConnectionManager;
import io.tandem.peer.PeerSettings;
import io.tandem.sync.Feeder;
import io.tandem.sync.SyncEngine;
import io.tandem.sync.SyncSettings;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * N replicas in one JVM, each with its own hash database, connection manager (real MINA sockets on 127.0.0.1),
 * capture loop and sync engine, all fed the same looped capture; each applies its own random drop.
 */
final class SimCluster implements AutoCloseable {
    private static final int FEEDER_PACKETS = 65_536;
    private static final long FEEDER_BYTES = 256L << 20;

    /**
     * What a run is made of.
     *
     * @param pps packets per second the simulated wire carries (a fixed rate, as a hub fed by a replay at that rate);
     *            0: as fast as the slowest replica reads (sim, bench)
     */
    record Options(LoopedCapture source, long packets, int replicas, Map<Integer, String> drops, ClusterParameters params,
                   int mode, long rounds, int window, int capacity, long leaderLate, long seed, Path hashlogDir, boolean keepLogs,
                   java.io.PrintStream progress, long pps) {

        /** An unpaced run. */
        Options(LoopedCapture source, long packets, int replicas, Map<Integer, String> drops, ClusterParameters params,
                int mode, long rounds, int window, int capacity, long leaderLate, long seed, Path hashlogDir, boolean keepLogs,
                java.io.PrintStream progress) {
            this(source, packets, replicas, drops, params, mode, rounds, window, capacity, leaderLate, seed, hashlogDir, keepLogs, progress, 0);
        }
    }

    /** What each replica analyzes its aligned stream with, and the alert filter its alerts go to. */
    interface Analysis {
        Analyzer analyzer(String replicaId) throws IOException;

        AlertFilter filter(String replicaId) throws IOException;
    }

    /** One replica of the simulation. */
    static final class Replica {
        final String id;
        final HashDatabase db;
        final RandomDrop drop;
        final CaptureLoop capture;
        final MinaConnectionManager peers;
        final SyncEngine engine;
        final HashLog log;
        /** This replica's tap on the simulated wire (closed when it is killed, so the wire does not wait for it). */
        final PacketSource tap;
        volatile boolean killed;
        /** With an {@link Analysis}: the feeder, the alert filter and its session; null otherwise. */
        Feeder feeder;
        AlertFilter filter;
        AlertFilterSession alerts;
        volatile List<String> members = List.of();

        Replica(String id, HashDatabase db, RandomDrop drop, PacketSource tap, MinaConnectionManager peers, SyncSettings settings, HashLog log) {
            this.id = id;
            this.db = db;
            this.drop = drop;
            this.tap = tap;
            this.capture = new CaptureLoop(tap, drop, db);
            this.peers = peers;
            this.log = log;
            this.engine = new SyncEngine(settings, db, peers, capture::captureSome, listener);
            peers.setHandler(engine);
        }

        /** The engine's listener: the hash log, and with analysis the feeder and the alert filter's view. */
        final SyncListener listener = new SyncListener() {
            @Override
            public void onDelivered(long position, PacketHash hash, Packet packet) {
                log.onDelivered(position, hash, packet);
                if (feeder != null) feeder.onDelivered(position, hash, packet);
            }

            @Override
            public void onView(long view, List<String> ids) {
                members = ids;
                if (alerts != null) alerts.onView(ids);
            }

            @Override
            public void onEnd() {
                log.onEnd();
                if (feeder != null) feeder.onEnd();
            }
        };
    }

    final Options options;
    final HashFunction hash;
    final List<Replica> replicas = new ArrayList<>();
    private final Wire wire;
    private long startNanos;
    private long endNanos;

    SimCluster(Options o) throws IOException {
        this(o, null);
    }

    /** @param analysis what each replica analyzes with (null: no analysis, only the hash logs) */
    SimCluster(Options o, Analysis analysis) throws IOException {
        this.options = o;
        this.hash = HashFunctions.byName(o.params().hashName());
        // Before every replica booted, taps stop a few boot attempts past the leader's start, and short of the
        // loop's next copy of it: a follower holding two copies of the boot packets would boot on the newer one.
        long bootPackets = SyncEngine.bootSize(o.params());
        long loop = Math.max(1, o.source().size());
        this.wire = new Wire(o.replicas(), o.leaderLate() + Math.max(bootPackets, Math.min(40L * bootPackets + Wire.SLACK, loop - 1)), o.pps());
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        int leaderPort = 0;
        for (int i = 1; i <= o.replicas(); i++) {
            String id = "r" + i;
            boolean leader = i == 1;
            HashDatabase db = new PacketHashDatabase(hash, o.params().snippet(), o.capacity(), HashDatabase.WhenFull.BLOCK);
            RandomDrop drop = RandomDrop.parse(o.drops().getOrDefault(i, "0"), o.seed() * 7919 + i);
            PacketSource cursor = wire.tap(i - 1, o.source().cursor(o.packets()), leader, leader ? o.leaderLate() : 0);
            PeerSettings.Builder ps = PeerSettings.builder(id, secret).listen("127.0.0.1", 0).parameters(o.params());
            if (!leader) ps.leader("127.0.0.1", leaderPort);
            MinaConnectionManager cm = new MinaConnectionManager(ps.build());
            SyncSettings ss = (leader ? SyncSettings.leader(o.replicas() - 1, 60_000) : SyncSettings.follower())
                    .withMode(o.mode()).withRoundsLimit(o.rounds()).withWindowLimit(o.window());
            HashLog log = new HashLog(hash.length(), o.hashlogDir() == null ? null : o.hashlogDir().resolve(id + ".hashes"), o.keepLogs());
            Replica r = new Replica(id, db, drop, cursor, cm, ss, log);
            if (analysis != null) analyze(r, analysis);
            replicas.add(r);
            if (leader) {
                cm.start();
                leaderPort = cm.listenAddress().getPort();
            }
        }
    }

    private void analyze(Replica r, Analysis analysis) throws IOException {
        r.filter = analysis.filter(r.id);
        r.alerts = r.filter.open(r.id, digest -> {
            for (String m : r.members) if (!m.equals(r.id)) r.peers.sendAlertDigest(m, digest);
        });
        AlertFilterSession session = r.alerts;
        r.feeder = new Feeder(r.id, options.source().linkType(), FEEDER_PACKETS, FEEDER_BYTES, session, session::analyzedUpTo);
        r.feeder.setAnalyzer(analysis.analyzer(r.id));
        r.engine.setAlertDigestReceiver(session::onDigest);
        r.feeder.start();
    }

    /**
     * After {@link #run}: waits until every replica's analyzer finished its stream, then lets the alert filters
     * decide what still waits and exchange their last digests. Returns what went wrong: an analyzer that could not
     * start (its one-line reason) or did not finish in time; empty if all went well.
     */
    List<String> finishAnalysis(long timeoutSeconds) throws InterruptedException {
        List<String> problems = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        List<Replica> alive = replicas.stream().filter(r -> !r.killed && r.feeder != null).toList();
        for (Replica r : alive) {
            while (!r.feeder.awaitFinished(100, TimeUnit.MILLISECONDS)) {
                String state = r.feeder.stats().state();
                // an appliance's feeder retries an analyzer that cannot start; a run with an end says why and stops
                if (state.startsWith("failed")) {
                    problems.add(r.id + ": " + state);
                    break;
                }
                if (System.nanoTime() > deadline) {
                    problems.add(r.id + ": the analyzer did not finish the stream within " + timeoutSeconds + " s (" + state + ")");
                    break;
                }
            }
        }
        if (!problems.isEmpty()) return problems;
        // together: each finish() waits for the others' final digests
        List<Thread> finishing = new ArrayList<>();
        for (Replica r : alive) {
            Thread t = new Thread(r.alerts::finish, "tandem-sim-finish-" + r.id);
            t.start();
            finishing.add(t);
        }
        for (Thread t : finishing) t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        while (System.nanoTime() < deadline && alive.stream().anyMatch(r -> r.filter.stats().pending() > 0)) {
            Thread.sleep(20);
        }
        return problems;
    }

    /** Starts every replica (the leader first), waits for all to end; returns the failures, if any. */
    List<String> run(long timeoutSeconds) throws IOException, InterruptedException {
        startNanos = System.nanoTime();
        replicas.get(0).engine.start();
        for (Replica r : replicas.subList(1, replicas.size())) {
            r.peers.start();
            r.engine.start();
        }
        Thread progress = new Thread(this::showProgress, "tandem-sim-progress");
        progress.setDaemon(true);
        if (options.progress() != null) progress.start();
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!replicas.stream().allMatch(r -> r.engine.booted() || r.engine.failure() != null) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        wire.booted();
        for (Replica r : replicas) {
            long left = deadline - System.nanoTime();
            if (!r.engine.awaitEnd(Math.max(1, left), TimeUnit.NANOSECONDS)) {
                failures.add(r.id + ": did not finish within " + timeoutSeconds + " s (" + r.engine.stats() + ")");
            } else if (r.engine.failure() != null) {
                failures.add(r.id + ": " + r.engine.failure());
            }
        }
        endNanos = System.nanoTime();
        progress.interrupt();
        return failures;
    }

    /** One line every two seconds while the replicas run: where each one is. */
    private void showProgress() {
        try {
            while (true) {
                Thread.sleep(2000);
                StringBuilder line = new StringBuilder(String.format("%6.1fs", (System.nanoTime() - startNanos) / 1e9));
                for (Replica r : replicas) {
                    var s = r.engine.stats();
                    line.append(String.format("  %s round=%d desync=%d delivered=%d held=%d", r.id, s.round(), s.desyncLevel(), s.delivered(), r.db.stats().held()));
                }
                options.progress().println(line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    double seconds() {
        return (endNanos - startNanos) / 1e9;
    }

    /** Packets per second the wire carried from the moment every replica booted to the end of the source (0 if unknown). */
    double wirePps() {
        return wire.ppsAfterBoot();
    }

    /**
     * The replica dies: its engine, capture, analysis and peer channels stop at once (what it had not reported is
     * left to the others). The others see its channels close and go on in a new view.
     */
    void kill(Replica r) {
        r.killed = true;
        r.engine.stop();
        r.tap.close();
        if (r.feeder != null) r.feeder.stop();
        if (r.alerts != null) r.alerts.close();
        r.peers.close();
    }

    /**
     * Shuts the replicas down after a run. Each replica's connection manager then warns that it lost its peers,
     * which is what an orderly end looks like here, not news: those lines are shown only if closing fails.
     */
    void closeQuietly() {
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream held = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(held, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            close();
        } catch (RuntimeException e) {
            err.print(held.toString(java.nio.charset.StandardCharsets.UTF_8));
            throw e;
        } finally {
            System.setErr(err);
        }
    }

    @Override
    public void close() {
        for (Replica r : replicas) {
            r.engine.stop();
            if (r.feeder != null) r.feeder.stop();
            if (r.alerts != null) r.alerts.close();
            r.peers.close();
            r.log.close();
        }
    }

    /**
     * The simulated hub. Traffic starts when the leader opens its capture (after its followers joined; a late
     * leader then misses the first packets), and no tap reads more than {@link #SLACK} packets ahead of the slowest
     * open one: a replayed capture has no clock, and without this a follower waiting for the boot, or one that
     * drops half its packets, would read ever further ahead of its peers, which a live wire never allows.
     *
     * <p>Paced ({@code pps > 0}), the wire also has a clock: source packet {@code i} is on the wire no earlier than
     * {@code i / pps} seconds after the leader opened its capture. While the boot limit holds the wire back the
     * clock waits with it, so once every replica booted the traffic goes on at the same rate, without a burst.
     */
    private static final class Wire {
        static final long SLACK = 2048;
        /** A paced tap that finds nothing due waits at least this long, so that it reads batches, not single packets. */
        static final long MIN_WAIT_NANOS = 1_000_000;
        private final AtomicLongArray read;
        private final CountDownLatch open = new CountDownLatch(1);
        private final long pps;
        /** Until every replica booted, the wire stops after the leader's boot packets (a few attempts' worth). */
        private volatile long limit;
        /** Paced: source packet {@code index} was due at {@code nanos}, and later ones follow at {@code pps}. */
        private volatile Clock clock;
        /** When every replica had booted and how far the furthest tap had read then; when the last tap ended and where. */
        private volatile long bootNanos, bootRead, endNanos, endRead;

        private record Clock(long index, long nanos) {
        }

        Wire(int taps, long bootLimit, long pps) {
            this.pps = pps;
            limit = bootLimit;
            read = new AtomicLongArray(taps);
            for (int i = 0; i < taps; i++) read.set(i, Long.MAX_VALUE);
        }

        PacketSource tap(int index, PacketSource cursor, boolean leader, long late) {
            return new PacketSource() {
                private boolean opened;

                @Override
                public Packet next() throws IOException, InterruptedException {
                    Packet[] one = new Packet[1];
                    return nextBatch(one, 1) == 0 ? null : one[0];
                }

                @Override
                public int nextBatch(Packet[] into, int max) throws IOException, InterruptedException {
                    if (!opened) {
                        opened = true;
                        read.set(index, late);
                        if (leader) {
                            if (pps > 0) clock = new Clock(0, System.nanoTime());
                            open.countDown();
                        } else {
                            open.await();
                        }
                        for (long i = 0; i < late; i++) {
                            if (cursor.next() == null) return end();
                        }
                    }
                    long at = read.get(index);
                    long room;
                    while ((room = Math.min(Math.min(slowest() + SLACK, limit), due()) - at) <= 0) {
                        LockSupport.parkNanos(pps > 0 && at < limit ? Math.max(MIN_WAIT_NANOS, (at + 1 - due()) * 1_000_000_000L / pps) : 20_000);
                        if (Thread.interrupted()) throw new InterruptedException("wire closed");
                    }
                    int n = cursor.nextBatch(into, (int) Math.min(max, room));
                    if (n == 0) {
                        synchronized (read) {
                            if (at > endRead || endNanos == 0) {
                                endRead = Math.max(endRead, at);
                                endNanos = System.nanoTime();
                            }
                        }
                        return end();
                    }
                    read.set(index, at + n);
                    return n;
                }

                private int end() {
                    read.set(index, Long.MAX_VALUE);
                    return 0;
                }

                @Override
                public String describe() {
                    return cursor.describe();
                }

                @Override
                public void close() {
                    end();
                    cursor.close();
                }
            };
        }

        void booted() {
            long furthest = 0;
            for (int i = 0; i < read.length(); i++) if (read.get(i) != Long.MAX_VALUE) furthest = Math.max(furthest, read.get(i));
            bootRead = furthest;
            bootNanos = System.nanoTime();
            if (pps > 0) {
                // The clock stood still at the boot limit: from now on, the packets after it follow at the rate.
                long stop = limit;
                long now = System.nanoTime();
                Clock c = clock;
                clock = c == null ? null : new Clock(Math.min(stop, c.index() + (now - c.nanos()) * pps / 1_000_000_000L), now);
            }
            limit = Long.MAX_VALUE;
        }

        double ppsAfterBoot() {
            long b = bootNanos, e = endNanos;
            return b == 0 || e <= b ? 0 : (endRead - bootRead) / ((e - b) / 1e9);
        }

        /** Source packets on the wire by now: all of them unpaced, else those the clock reached (not before the leader opened). */
        private long due() {
            if (pps <= 0) return Long.MAX_VALUE;
            Clock c = clock;
            if (c == null) return 0;
            long elapsed = System.nanoTime() - c.nanos();
            return elapsed <= 0 ? c.index() : c.index() + 1 + elapsed / 1_000_000_000L * pps + (elapsed % 1_000_000_000L) * pps / 1_000_000_000L;
        }

        private long slowest() {
            long min = Long.MAX_VALUE;
            for (int i = 0; i < read.length(); i++) min = Math.min(min, read.get(i));
            return min;
        }
    }
}
