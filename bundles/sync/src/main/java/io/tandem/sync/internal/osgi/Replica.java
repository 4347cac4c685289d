package io.tandem.sync.internal.osgi;

import io.tandem.api.AlertFilter;
import io.tandem.api.Analyzer;
import io.tandem.api.CaptureFactory;
import io.tandem.api.CaptureSession;
import io.tandem.api.CaptureStats;
import io.tandem.api.ClusterParameters;
import io.tandem.api.ConnectionManager;
import io.tandem.api.ConnectionManagerFactory;
import io.tandem.api.HashDatabase;
import io.tandem.api.HashDatabaseFactory;
import io.tandem.api.HashDatabaseStats;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.PeerInfo;
import io.tandem.api.ReplicaSnapshot;
import io.tandem.api.ReplicaStatus;
import io.tandem.api.SyncListener;
import io.tandem.sync.FeederStats;
import io.tandem.sync.SyncEngine;
import io.tandem.sync.SyncStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One replica assembled from the three factories: hash database, then capture, then connection manager and sync
 * engine. Assembly runs on a thread of its own because a follower keeps trying to reach its leader (which may
 * start later) and a looped capture is read into memory first.
 */
final class Replica implements ReplicaStatus {
    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);
    private static final long RETRY_MILLIS = 2000;

    private final SyncConfig config;
    private final HashDatabaseFactory databases;
    private final ConnectionManagerFactory connections;
    private final CaptureFactory captures;
    private final boolean leader;
    private final HashLog hashLog;
    private final Thread starter;
    private final ScheduledExecutorService sampler;

    private volatile HashDatabase db;
    private volatile CaptureSession capture;
    private volatile ConnectionManager peers;
    private volatile SyncEngine engine;
    private Analysis analysis;
    private Analyzer analyzer;
    private AlertFilter alertFilter;
    private volatile String failure;
    private volatile boolean stopping;
    /** Set by {@link #leave()}: the replica no longer takes part; its status says so until it is replaced. */
    private volatile boolean left;
    private boolean stopped;

    private long lastNanos, lastSeen, lastDelivered;
    private volatile double capturePps, deliveredPps;

    Replica(SyncConfig config, HashDatabaseFactory databases, ConnectionManagerFactory connections, CaptureFactory captures) {
        this.config = config;
        this.databases = databases;
        this.connections = connections;
        this.captures = captures;
        this.leader = connections.leader();
        this.hashLog = new HashLog();
        this.starter = new Thread(this::assemble, "tandem-replica-start");
        this.starter.setDaemon(true);
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-replica-sampler");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        switchHashLog(config.hashLog());
        starter.start();
        sampler.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
    }

    private void assemble() {
        ClusterParameters p = config.parameters();
        try {
            db = databases.create(p);
            hashLog.length(db.hashFunction().length());
            capture = captures.open(db);
            String lastError = null;
            while (!stopping) {
                ConnectionManager cm = connections.create(p);
                Analysis a = analysis(cm.localId());
                a.peers(cm);
                SyncEngine e = new SyncEngine(config.settings(leader), db, cm, capture, new HashLogAndAnalysis(hashLog, a));
                e.setAlertDigestReceiver(a::onDigest);
                cm.setHandler(e);
                peers = cm;
                try {
                    cm.start();
                } catch (IOException ex) {
                    cm.close();
                    if (!Objects.equals(ex.getMessage(), lastError)) LOG.warn("replica {}: {}; trying again every {} s", cm.localId(), ex.getMessage(), RETRY_MILLIS / 1000);
                    lastError = ex.getMessage();
                    Thread.sleep(RETRY_MILLIS);
                    continue;
                }
                synchronized (this) { // stop() may have run meanwhile: it saw no engine to stop
                    if (stopped) {
                        cm.close();
                        return;
                    }
                    engine = e;
                    e.start();
                }
                LOG.info("replica {} started as {}: cluster.size={} anchor.size={} hash={} snippet={} {}; capture {}", cm.localId(),
                        leader ? "leader" : "follower", p.clusterSize(), p.anchorSize(), p.hashName(), p.snippet(), config, capture.describe());
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (stopping) return; // interrupted by stop(): not a failure
            failure = e.getMessage() != null ? e.getMessage() : e.toString();
            LOG.error("replica could not start: {}", failure);
        }
    }

    /** The analysis side, made once per incarnation with the first connection manager (its id is the replica's). */
    private synchronized Analysis analysis(String localId) {
        if (stopped) throw new IllegalStateException("the replica was stopped while it was being assembled");
        if (analysis == null) {
            analysis = new Analysis(localId, capture.linkType(), config);
            analysis.setAnalyzer(analyzer);
            analysis.setAlertFilter(alertFilter);
            analysis.start();
        }
        return analysis;
    }

    /** The analyzer the feeder feeds (null: none; packets wait in the feeder's queue). */
    synchronized void setAnalyzer(Analyzer a) {
        analyzer = a;
        if (analysis != null) analysis.setAnalyzer(a);
    }

    /** The alert filter alerts go to (null: none). */
    synchronized void setAlertFilter(AlertFilter f) {
        alertFilter = f;
        if (analysis != null) analysis.setAlertFilter(f);
    }

    /** The engine's listener: the hash log and the analysis side see every delivered packet. */
    private record HashLogAndAnalysis(HashLog hashLog, Analysis analysis) implements SyncListener {
        @Override
        public void onDelivered(long position, PacketHash hash, Packet packet) {
            hashLog.onDelivered(position, hash, packet);
            analysis.onDelivered(position, hash, packet);
        }

        @Override
        public void onView(long view, List<String> members) {
            analysis.onView(view, members);
        }

        @Override
        public void onEnd() {
            hashLog.onEnd();
            analysis.onEnd();
        }
    }

    /** Applies a new hash log file (null: off) at once; false (logged) if it cannot be opened. */
    boolean switchHashLog(Path p) {
        try {
            hashLog.switchTo(p);
            return true;
        } catch (IOException e) {
            LOG.error("{}: hashlog={}: cannot write it ({}); keeping {}", SyncConfig.PID, p, e.getMessage(), hashLog.path() == null ? "the hash log off" : hashLog.path());
            return false;
        }
    }

    boolean booted() {
        SyncEngine e = engine;
        return e != null && e.booted();
    }

    /**
     * This replica stops taking part ({@code tandem:leave}): engine stopped, peer connections closed, capture
     * closed, queue dropped. The peers see its channels close and go on in a new view. Its status stays, as
     * {@code left}, with the counters it had.
     */
    void leave() {
        stop();
        left = true;
    }

    /** A replica that was left before it ever started (configured {@code member = false}). */
    void markLeft() {
        left = true;
    }

    synchronized void stop() {
        if (stopped) return;
        stopped = true;
        stopping = true;
        starter.interrupt();
        sampler.shutdownNow();
        SyncEngine e = engine;
        if (e != null) {
            e.stop();
            try {
                if (!e.awaitEnd(10, TimeUnit.SECONDS)) LOG.warn("replica: sync engine did not stop within 10 s");
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        ConnectionManager cm = peers;
        if (cm != null) cm.close();
        CaptureSession c = capture;
        if (c != null) c.close();
        Analysis a;
        synchronized (this) {
            a = analysis;
        }
        if (a != null) a.stop();
        hashLog.close();
    }

    private void sample() {
        CaptureSession c = capture;
        SyncEngine e = engine;
        long now = System.nanoTime();
        long seen = c == null ? 0 : c.stats().seen();
        long delivered = e == null ? 0 : e.stats().delivered();
        if (lastNanos != 0) {
            double s = (now - lastNanos) / 1e9;
            capturePps = (seen - lastSeen) / s;
            deliveredPps = (delivered - lastDelivered) / s;
        }
        lastNanos = now;
        lastSeen = seen;
        lastDelivered = delivered;
        hashLog.flush();
    }

    @Override
    public ReplicaSnapshot snapshot() {
        SyncEngine e = engine;
        ConnectionManager cm = peers;
        HashDatabase d = db;
        CaptureSession c = capture;
        List<PeerInfo> peerList = cm == null || left ? List.of() : peerList(cm);
        String state;
        String why = failure;
        if (left) {
            state = "left";
            why = null;
        } else if (why != null) {
            state = "failed";
        } else if (e == null) {
            state = leader ? "starting" : "connecting to the leader";
        } else if (e.failure() != null) {
            state = "failed";
            why = e.failure();
        } else if (ended(e)) {
            state = "ended";
        } else if (e.booted()) {
            state = "running";
        } else if (leader && e.members().isEmpty()) {
            state = "waiting for peers (" + peerList.stream().filter(PeerInfo::connected).count() + " of " + config.bootPeers() + " joined)";
        } else {
            state = "bootstrapping";
        }
        SyncStats s = e == null ? null : e.stats();
        HashDatabaseStats q = d == null ? null : d.stats();
        CaptureStats cs = c == null ? null : c.stats();
        Map<String, Long> n = new LinkedHashMap<>();
        if (cs != null) {
            n.put("capture.seen", cs.seen());
            n.put("capture.random.dropped", cs.randomDropped());
            n.put("capture.registered", cs.registered());
            n.put("capture.source.dropped", cs.sourceDropped());
        }
        if (q != null) {
            n.put("queue.registered", q.registered());
            n.put("queue.recovered", q.recovered());
            n.put("queue.dropped.full", q.droppedFull());
            n.put("queue.preboot.discarded", q.preBootDiscarded());
            n.put("queue.held", q.held());
            n.put("queue.capacity", (long) q.capacity());
        }
        if (s != null) {
            n.put("sync.round", s.round());
            n.put("sync.epoch", s.epoch());
            n.put("sync.view", s.view());
            n.put("sync.desync.level", (long) s.desyncLevel());
            n.put("sync.desync.level.max", (long) s.maxDesyncLevel());
            n.put("sync.aligned.end", s.alignedEnd());
            n.put("sync.delivered", s.delivered());
            n.put("sync.rounds.synced", s.syncedRounds());
            n.put("sync.rounds.mismatch", s.mismatchRounds());
            n.put("sync.rounds.no.anchor", s.noAnchorRounds());
            n.put("sync.recovered", s.recovered());
            n.put("sync.served", s.served());
            n.put("sync.anchors.shrunk", s.shrunkAnchors());
            n.put("sync.joined.duplicates", s.joinedDuplicates());
            n.put("sync.discarded.at.join", s.discarded());
            n.put("sync.credit", s.credit());
        }
        Analysis an;
        synchronized (this) {
            an = analysis;
        }
        FeederStats f = an == null ? null : an.feederStats();
        if (f != null) {
            n.put("feeder.offered", f.offered());
            n.put("feeder.dropped.full", f.droppedFull());
            n.put("feeder.analyzed", f.analyzed());
            n.put("feeder.restarts", f.restarts());
            n.put("feeder.skipped", f.skipped());
            n.put("feeder.completed", f.completed());
            n.put("feeder.queued", (long) f.queued());
            n.put("feeder.capacity", (long) f.capacity());
            n.put("feeder.bytes", f.bytes());
            n.put("alerts.raised", f.alertsRaised());
            n.put("alerts.unfiltered", an.unfiltered());
        }
        Path log = hashLog.path();
        return new ReplicaSnapshot(cm == null ? "" : cm.localId(), leader, state, why, config.parameters(), config.mode(),
                e == null || left ? List.of() : e.members(), peerList, s == null ? 0 : s.round(), s == null ? 0 : s.desyncLevel(),
                q == null ? 0 : q.held(), q == null ? 0 : q.capacity(), left ? 0 : capturePps, left ? 0 : deliveredPps,
                c == null ? "" : c.describe() + (left ? " (stopped: the replica left)" : cs.error() != null ? " (failed: " + cs.error() + ")" : cs.ended() ? " (ended)" : ""),
                cs == null ? "" : cs.randomDrop(), log == null ? null : log.toString(),
                f == null ? "" : (f.analyzer().isEmpty() ? config.analyzer() + " (not running)" : f.analyzer()) + ": " + f.state(), n);
    }

    private static boolean ended(SyncEngine e) {
        try {
            return e.awaitEnd(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<PeerInfo> peerList(ConnectionManager cm) {
        try {
            return cm.peers();
        } catch (IllegalStateException notStarted) {
            return List.of();
        }
    }
}
