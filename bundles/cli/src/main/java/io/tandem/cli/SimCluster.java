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
        /** Which start of this id: 0 the first, 1 after the first restart, ... */
        final int incarnation;
        /** Source packets the wire had carried when it started, and when it died (-1: it did not). */
        final long startedAt;
        volatile long leftAt = -1;
        /** Stream position of its first delivered packet (a joiner's is where it joined); -1 before any. */
        volatile long firstPosition = -1;
        /**
         * The first packet it delivered: names its source packet, by its capture time (each loop is re-stamped) and
         * its bytes' array (a capture may hold a frame twice, with the same time: the copies have arrays of their own).
         */
        volatile Packet firstPacket;

        Replica(String id, HashDatabase db, RandomDrop drop, PacketSource tap, MinaConnectionManager peers, SyncSettings settings, HashLog log) {
            this(id, 0, 0, db, drop, tap, peers, settings, log);
        }

        Replica(String id, int incarnation, long startedAt, HashDatabase db, RandomDrop drop, PacketSource tap, MinaConnectionManager peers,
                SyncSettings settings, HashLog log) {
            this.id = id;
            this.incarnation = incarnation;
            this.startedAt = startedAt;
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
                if (firstPosition < 0) {
                    firstPosition = position;
                    firstPacket = packet;
                }
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
    /** The replica of each id that runs now (or ran last): index i is r(i+1). */
    final List<Replica> replicas = new ArrayList<>();
    /** Every replica started, in order: the first N, then each restart. */
    final List<Replica> incarnations = new ArrayList<>();
    private final Wire wire;
    private final byte[] secret = new byte[32];
    private final Analysis analysis;
    private List<Fault> faults = List.of();
    private int crashes, restarts;

    /**
     * A fault injected once the wire carried {@code at} source packets: a crash (engine, sockets and capture gone
     * without a goodbye) or a restart (a fresh engine with the same id, a follower that joins the running cluster;
     * a replica still running is crashed first).
     */
    record Fault(Kind kind, int replica, long at) {
        enum Kind { CRASH, RESTART }

        /** {@code rI@P}, as {@code --crash} and {@code --restart} take it. */
        static Fault parse(Kind kind, String spec, int replicas) {
            int atSign = spec.indexOf('@');
            String option = "--" + kind.name().toLowerCase(java.util.Locale.ROOT);
            if (!spec.startsWith("r") || atSign < 2) throw new Args.UsageException(option + " takes rI@P (e.g. r2@50000), not '" + spec + "'");
            int i;
            long at;
            try {
                i = Integer.parseInt(spec.substring(1, atSign));
                at = Long.parseLong(spec.substring(atSign + 1));
            } catch (NumberFormatException e) {
                throw new Args.UsageException(option + " takes rI@P with I a replica number and P a packet count, not '" + spec + "'");
            }
            if (i < 1 || i > replicas) throw new Args.UsageException(option + " " + spec + ": there is no replica r" + i + " (replicas: " + replicas + ")");
            if (at < 0) throw new Args.UsageException(option + " " + spec + ": P must not be negative");
            return new Fault(kind, i, at);
        }
    }
    private long startNanos;
    private long endNanos;

    SimCluster(Options o) throws IOException {
        this(o, null);
    }

    /** @param analysis what each replica analyzes with (null: no analysis, only the hash logs) */
    SimCluster(Options o, Analysis analysis) throws IOException {
        this.options = o;
        this.analysis = analysis;
        this.hash = HashFunctions.byName(o.params().hashName());
        // Before every replica booted, taps stop a few boot attempts past the leader's start, and short of the
        // loop's next copy of it where the loop leaves room for several attempts: a follower holding two copies of
        // the boot packets would boot on the newer one. A loop shorter than that repeats inside the boot packets
        // themselves; any copy then gives the same stream, and the leader needs the attempts' packets.
        long bootPackets = SyncEngine.bootSize(o.params());
        long loop = Math.max(1, o.source().size());
        long beforeBoot = 40L * bootPackets + Wire.SLACK;
        if (loop - 1 >= 4 * bootPackets) beforeBoot = Math.min(beforeBoot, loop - 1);
        this.wire = new Wire(o.replicas(), o.leaderLate() + beforeBoot, o.pps());
        new SecureRandom().nextBytes(secret);
        int leaderPort = 0;
        for (int i = 1; i <= o.replicas(); i++) {
            Replica r = newReplica(i, 0, leaderPort, 0);
            replicas.add(r);
            incarnations.add(r);
            if (i == 1) {
                r.peers.start();
                leaderPort = r.peers.listenAddress().getPort();
            }
        }
    }

    /**
     * Replica {@code i} (1-based), its {@code incarnation}-th start: r1's first is the leader, every other start a
     * follower logging in at {@code joinPort}. Its tap starts {@code skip} source packets into the wire.
     */
    private Replica newReplica(int i, int incarnation, int joinPort, long skip) throws IOException {
        Options o = options;
        String id = "r" + i;
        boolean leader = i == 1 && incarnation == 0;
        // A replica that comes back captures as a live one does until it joins: the wire does not wait for it, and it
        // keeps the newest packets. Several queues' worth: the members align up to a queue and the wire's slack behind
        // the wire, so the packets the coordinator boots it on are among them, with room to keep them while the boot
        // answer travels. (It holds no later loop's copy of them: that is beyond the wire.)
        HashDatabase db = incarnation == 0
                ? new PacketHashDatabase(hash, o.params().snippet(), o.capacity(), HashDatabase.WhenFull.BLOCK)
                : new PacketHashDatabase(hash, o.params().snippet(), 4 * o.capacity(), HashDatabase.WhenFull.JOIN_THEN_BLOCK);
        RandomDrop drop = RandomDrop.parse(o.drops().getOrDefault(i, "0"), o.seed() * 7919 + i + 104729L * incarnation);
        PacketSource cursor = wire.tap(i - 1, o.source().cursor(o.packets()), leader, leader ? o.leaderLate() : skip);
        PeerSettings.Builder ps = PeerSettings.builder(id, secret).listen("127.0.0.1", 0).parameters(o.params());
        if (!leader) ps.leader("127.0.0.1", joinPort);
        MinaConnectionManager cm = new MinaConnectionManager(ps.build());
        SyncSettings ss = (leader ? SyncSettings.leader(o.replicas() - 1, 60_000) : SyncSettings.follower())
                .withMode(o.mode()).withRoundsLimit(o.rounds()).withWindowLimit(o.window());
        String name = incarnation == 0 ? id : id + "." + incarnation;
        HashLog log = new HashLog(hash.length(), o.hashlogDir() == null ? null : o.hashlogDir().resolve(name + ".hashes"), o.keepLogs());
        Replica r = new Replica(id, incarnation, skip, db, drop, cursor, cm, ss, log);
        if (analysis != null) analyze(r, analysis);
        return r;
    }

    /**
     * The faults to inject during {@link #run}. A restarted replica's queue must not reach a later loop of the
     * looped capture: members align up to a queue behind the wire, and a joiner holding the next copy of the
     * packets they align would boot on it (live traffic never repeats a loop). So with a restart the capacity must
     * stay a few wire slacks under the loop's length.
     */
    static int capacityFor(List<Fault> faults, int capacity, long loop) {
        if (faults.stream().noneMatch(f -> f.kind() == Fault.Kind.RESTART)) return capacity;
        long most = loop - 2 * Wire.SLACK;
        if (most < 1024) throw new Args.UsageException("the source loops every " + loop + " packets, too few for --restart (at least " + (1024 + 2 * Wire.SLACK) + ")");
        return (int) Math.min(capacity, most);
    }

    void faults(List<Fault> faults) {
        if (!faults.isEmpty() && capacityFor(faults, options.capacity(), options.source().size()) != options.capacity()) {
            throw new IllegalArgumentException("capacity " + options.capacity() + " reaches a later loop of the source: use capacityFor");
        }
        List<Fault> sorted = new ArrayList<>(faults);
        sorted.sort(java.util.Comparator.comparingLong(Fault::at));
        this.faults = List.copyOf(sorted);
    }

    int crashes() {
        return crashes;
    }

    int restarts() {
        return restarts;
    }

    /** Injects each fault once the wire has carried its packet count; returns when all are done or the run ended. */
    private void injectFaults(long deadline) throws IOException, InterruptedException {
        for (Fault f : faults) {
            while (wire.furthest() < f.at()) {
                if (System.nanoTime() > deadline || replicas.stream().noneMatch(r -> !r.killed && r.engine.failure() == null && !ended(r))) return;
                Thread.sleep(1);
            }
            Replica r = replicas.get(f.replica() - 1);
            if (!r.killed) {
                r.leftAt = wire.furthest();
                kill(r);
                crashes++;
            }
            if (f.kind() == Fault.Kind.RESTART) {
                // it logs in at a member of the running cluster (one booted, as an operator's tandem:join --via names)
                Replica via = replicas.stream().filter(x -> !x.killed && x.engine.failure() == null && x.engine.booted()).findFirst().orElse(null);
                if (via == null) continue; // nobody left to join
                // On a hub a replica that comes back sees today's traffic: its tap starts at the members' capture front.
                Replica back = newReplica(f.replica(), r.incarnation + 1, via.peers.listenAddress().getPort(), wire.slowestOpen());
                replicas.set(f.replica() - 1, back);
                synchronized (incarnations) {
                    incarnations.add(back);
                }
                back.peers.start();
                back.engine.start();
                restarts++;
            }
        }
    }

    /**
     * Whether two replicas delivered the same packets at every stream position both delivered (true when they
     * share none).
     */
    static boolean agree(Replica a, Replica b) {
        long from = Math.max(a.firstPosition, b.firstPosition);
        long to = Math.min(a.firstPosition + a.log.size(), b.firstPosition + b.log.size());
        if (a.firstPosition < 0 || b.firstPosition < 0) return true;
        for (long p = from; p < to; p++) {
            int i = (int) (p - a.firstPosition);
            int j = (int) (p - b.firstPosition);
            if (a.log.hi(i) != b.log.hi(j) || a.log.lo(i) != b.log.lo(j)) return false;
        }
        return true;
    }

    private static boolean ended(Replica r) {
        try {
            return r.engine.awaitEnd(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
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
        injectFaults(deadline);
        // An engine that stopped with an error ends the run at once: the others would wait for it in vain.
        List<Replica> unadmitted = new ArrayList<>();
        for (Replica r : incarnations) {
            while (!r.killed && !ended(r) && System.nanoTime() < deadline) {
                if (incarnations.stream().anyMatch(x -> x.engine.failure() != null)) break;
                // a replica restarted too late: the cluster finished its source before admitting it
                if (!r.engine.booted() && incarnations.stream().filter(x -> x != r && x.engine.booted()).allMatch(x -> x.killed || ended(x))) {
                    unadmitted.add(r);
                    r.engine.stop();
                    break;
                }
                r.engine.awaitEnd(20, TimeUnit.MILLISECONDS);
            }
        }
        for (Replica r : incarnations) {
            String name = r.incarnation == 0 ? r.id : r.id + "." + r.incarnation;
            if (unadmitted.contains(r)) failures.add(name + ": not admitted before the cluster finished its source");
            else if (r.engine.failure() != null) failures.add(name + ": " + r.engine.failure());
            else if (!r.killed && !ended(r)) failures.add(name + ": did not finish" + (System.nanoTime() >= deadline ? " within " + timeoutSeconds + " s" : "") + " (" + r.engine.stats() + ")");
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
        if (r.leftAt < 0) r.leftAt = wire.furthest();
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
        for (Replica r : incarnations) {
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
                /** Closed (the replica was killed): its reads no longer hold the wire back. */
                private volatile boolean closed;

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
                        if (closed) read.set(index, Long.MAX_VALUE);
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
                    // a kill that came while this batch was read: its end() may have run before the line above, and
                    // a dead tap's position would hold every other tap SLACK past it for good
                    if (closed) read.set(index, Long.MAX_VALUE);
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
                    closed = true;
                    end();
                    cursor.close();
                }
            };
        }

        void booted() {
            bootRead = furthest();
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

        /** Source packets the furthest open tap has read (what the hub carried so far). */
        long furthest() {
            long max = 0;
            for (int i = 0; i < read.length(); i++) if (read.get(i) != Long.MAX_VALUE) max = Math.max(max, read.get(i));
            return max;
        }

        /** Where the slowest open tap is (0 if none is open). */
        long slowestOpen() {
            long min = slowest();
            return min == Long.MAX_VALUE ? furthest() : min;
        }

        private long slowest() {
            long min = Long.MAX_VALUE;
            for (int i = 0; i < read.length(); i++) min = Math.min(min, read.get(i));
            return min;
        }
    }
}
