package io.tandem.sync;

import io.tandem.api.BootAck;
import io.tandem.api.BootHash;
import io.tandem.api.BootStart;
import io.tandem.api.ConnectionManager;
import io.tandem.api.HashDatabase;
import io.tandem.api.HashList;
import io.tandem.api.PacketHash;
import io.tandem.api.PeerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A replica's bootstrap (thesis 3.4), run on the sync thread before the rounds: the leader sends the hashes of its
 * first m packets and starts everybody at the first run of l that every follower holds; a follower answers where it
 * holds them. A joiner answers the coordinator's boot hashes the same way (the coordinator's side is the engine's
 * admission). The result is where this replica's stream starts.
 */
final class Bootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
    private static final int BOOT_ATTEMPTS = 16;
    /** Boot attempts on the same window when a short finite source is not yet all held by every follower. */
    private static final int SHORT_SOURCE_TRIES = 10;
    /** How long a follower waits for boot packets it does not hold yet (see {@link #findBoot}). */
    static final long FIND_WAIT_MILLIS = 2000;
    /**
     * How long a follower keeps the packets its boot answer names: the start comes one round trip later, or not at
     * all (a join's answer comes within the coordinator's wait or is not used).
     */
    private static final long KEEP_MILLIS = 500;
    /**
     * How far this replica's capture clock may run ahead of the boot sender's: boot packets are looked for among
     * those captured by the sender's last boot packet's time plus this (see {@link #findBoot}).
     */
    static final long CLOCK_SKEW_MICROS = 60_000_000;

    private final SyncEngine engine;
    private final SyncSettings settings;
    private final HashDatabase db;
    private final ConnectionManager peers;
    private final int l;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();

    Bootstrap(SyncEngine engine, SyncSettings settings, HashDatabase db, ConnectionManager peers) {
        this.engine = engine;
        this.settings = settings;
        this.db = db;
        this.peers = peers;
        this.l = peers.parameters().anchorSize();
    }

    /** Bootstraps as the leader; returns -1 (a first boot). */
    long asLeader() throws InterruptedException, SyncEngine.PeerRequestException {
        if (settings.bootPeers() > 0) {
            peers.awaitPeers(settings.bootPeers(), settings.bootWaitMillis() > 0 ? settings.bootWaitMillis() : Long.MAX_VALUE);
        }
        List<String> ids = new ArrayList<>();
        ids.add(peers.localId());
        for (PeerInfo p : peers.peers()) if (p.connected()) ids.add(p.id());
        ids.sort(null);
        engine.setMembers(ids);
        // The leader opens its capture only now, so every follower already holds what the leader captures first.
        engine.startCaptureThread();
        int m = settings.bootSize() > 0 ? settings.bootSize() : SyncEngine.bootSize(peers.parameters());
        int window = 0;
        int shortTries = 0;
        for (int attempt = 1; attempt <= BOOT_ATTEMPTS + SHORT_SOURCE_TRIES; attempt++) {
            long from = (long) window * m;
            engine.ensureEnd(from + m);
            int size = m;
            int anchor = l;
            if (db.end() < from + m) {
                // A finite source shorter than m (a short capture replayed): boot on the packets there are.
                if (db.end() <= from) throw fatal("the source ended before " + m + " boot packets were captured");
                size = (int) (db.end() - from);
                anchor = Math.min(l, size);
            }
            HashList boot = db.hashes(from, size);
            PacketHash[] hashes = new PacketHash[size];
            for (int i = 0; i < size; i++) hashes[i] = boot.hash(i);
            BootHash message = new BootHash(attempt, engine.members(), hashes, false, db.packet(from + size - 1).timestampMicros());
            List<long[]> acks = new ArrayList<>();
            Map<String, CompletableFuture<BootAck>> asked = new HashMap<>();
            for (String p : engine.peerIds()) asked.put(p, peers.sendBootHash(p, message));
            // a follower that has not answered yet is asked again while it is connected (it may wait for traffic)
            for (String p : engine.peerIds()) acks.add(engine.awaitPeer(p, asked.get(p), () -> peers.sendBootHash(p, message)).positions());
            int index = bootIndex(acks, size, anchor);
            if (index >= 0) {
                BootStart start = new BootStart(attempt, index, engine.members(), 0, false);
                for (String p : engine.peerIds()) peers.sendBootStart(p, start);
                db.rebase(from + index);
                return -1;
            }
            if (size < m && shortTries++ < SHORT_SOURCE_TRIES) {
                // no next window in a short source: a follower may not have captured all of it yet; ask again
                LOG.info("{}: boot attempt {}: the {} boot packets of this short source are not all held yet; asking again", peers.localId(), attempt, size);
                Thread.sleep(200);
                continue;
            }
            LOG.warn("{}: boot attempt {}: no {} consecutive boot packets held by every replica; trying the next {}", peers.localId(), attempt, anchor, m);
            window++;
        }
        throw fatal("no " + l + " consecutive boot packets were held by every replica in " + BOOT_ATTEMPTS + " attempts");
    }

    /** Tells the followers the boot failed; the error to throw. */
    private IllegalStateException fatal(String reason) {
        for (String p : engine.peerIds()) peers.sendBootHashFatal(p, reason);
        return new IllegalStateException("bootstrap failed: " + reason);
    }

    /**
     * First boot index starting l consecutive boot packets that every follower holds, in the same order. Not
     * necessarily at consecutive positions: a follower may hold packets the leader lost between them; the rounds
     * recover those like any other.
     */
    private int bootIndex(List<long[]> acks, int m, int l) {
        for (int j = 0; j + l <= m; j++) {
            boolean ok = true;
            for (long[] pos : acks) ok &= runHeldAt(pos, j, l);
            if (ok) return j;
        }
        return -1;
    }

    /** A boot request from the leader or coordinator, answered by the follower's sync thread. */
    record Request(BootHash boot, CompletableFuture<BootAck> answer) {
    }

    /** The leader could not bootstrap. */
    record Fatal(String reason) {
    }

    /** A boot message from the network (Request, BootStart or Fatal), for the sync thread. */
    void offer(Object message) {
        inbox.add(message);
    }

    /** Bootstraps as a follower; returns the stream position it joined a running cluster at, or -1 at a first boot. */
    long asFollower() throws InterruptedException {
        Map<Integer, long[]> answered = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.bootTimeoutMillis());
        while (true) {
            Object msg = inbox.poll(100, TimeUnit.MILLISECONDS);
            if (engine.stopping()) throw new InterruptedException();
            if (msg == null) {
                if (settings.bootTimeoutMillis() > 0 && System.nanoTime() > deadline) {
                    throw new IllegalStateException("no boot hashes from the leader within " + settings.bootTimeoutMillis() + " ms");
                }
                continue;
            }
            if (msg instanceof Request req) {
                long[] positions = findBoot(req.boot().hashes(), req.boot().join(), req.boot().untilMicros());
                answered.put(req.boot().attempt(), positions);
                req.answer().complete(new BootAck(req.boot().attempt(), positions));
            } else if (msg instanceof BootStart start) {
                long[] positions = answered.get(start.attempt());
                if (positions == null || positions[start.index()] < 0) {
                    throw new IllegalStateException("leader started at boot packet " + start.index() + " of attempt " + start.attempt() + ", which this replica does not hold");
                }
                db.rebase(positions[start.index()], start.position());
                engine.setMembers(start.members());
                awaitMembersConnected(System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
                return start.join() ? start.position() : -1;
            } else if (msg instanceof Fatal f) {
                throw new IllegalStateException("the leader could not bootstrap: " + f.reason());
            }
        }
    }

    /**
     * Waits until this replica has both channels to every member: a follower learns the members from the leader
     * and may still be logging in to the other followers, and a cluster hash pushed before a channel exists is lost.
     */
    private void awaitMembersConnected(long deadline) throws InterruptedException {
        while (true) {
            List<String> missing = new ArrayList<>(engine.peerIds());
            for (PeerInfo p : peers.peers()) if (p.connected()) missing.remove(p.id());
            if (missing.isEmpty()) return;
            if (engine.stopping()) throw new InterruptedException();
            if (System.nanoTime() > deadline) throw new IllegalStateException("no channels to engine.members() " + missing + " within 30 s of the boot");
            Thread.sleep(5);
        }
    }

    /**
     * Looks for the boot hashes from the newest packet back; waits a little for packets not captured yet. What it
     * answers is kept until the boot starts: a live follower's full queue would otherwise discard the very packet
     * the leader then starts at (a joiner's queue is often full: it waits for the cluster to reach its packets).
     */
    private long[] findBoot(PacketHash[] hashes, boolean join, long untilMicros) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FIND_WAIT_MILLIS);
        while (true) {
            db.keepFrom(db.start(), KEEP_MILLIS); // nothing goes while searching
            // On repeating traffic this replica holds several copies of the boot packets: the sender's is the newest
            // one captured by the sender's last boot packet's time. At the first boot, clocks further apart than the
            // skew allowed find no run there; then the newest copy held (any copy gives the same hashes). A joiner
            // does not: the copy it lacks is the running stream's, and a later one (a repeat the cluster has not
            // aligned yet) would put it periods ahead of the members; the coordinator asks again.
            long[] found = untilMicros > 0 ? db.findBootCluster(hashes, untilMicros + CLOCK_SKEW_MICROS) : db.findBootCluster(hashes);
            if (!join && untilMicros > 0 && firstRunHeld(found, Math.min(l, found.length)) < 0) found = db.findBootCluster(hashes);
            // then only what the leader may start at: a run of l held in order (none: keep nothing)
            int run = firstRunHeld(found, Math.min(l, found.length));
            db.keepFrom(run < 0 ? Long.MAX_VALUE : found[run], KEEP_MILLIS);
            // wait only while none is held (the leader's first packets, or a joiner's that just started, not captured
            // yet) and the queue has room for them
            boolean full = db.end() - db.start() >= db.capacity();
            boolean none = Arrays.stream(found).noneMatch(x -> x >= 0);
            if (join && full && none) {
                // None of the cluster's last aligned packets among a full queue's: the cluster is not within it.
                // Behind the cluster (its packets are the cluster's past), a blocking queue (a replay) would hold it
                // for good; ahead, it holds traffic the cluster aligns later. Either way it never delivers them (it
                // joins after them or where it holds the cluster's packets): it frees them and captures on.
                LOG.info("{}: none of the running cluster's last aligned packets among the {} held; freed to capture on",
                        peers.localId(), db.end() - db.start());
                db.free(db.end());
                return found;
            }
            if (!none || db.sourceEnded() || System.nanoTime() > until) return found;
            db.awaitEnd(db.end() + hashes.length, TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Start of the first run of {@code n} boot packets held at increasing positions, or -1. */
    static int firstRunHeld(long[] positions, int n) {
        for (int j = 0; j + n <= positions.length; j++) if (runHeldAt(positions, j, n)) return j;
        return -1;
    }

    /** Start of the last run of {@code n} boot packets held at increasing positions, or -1. */
    static int lastRunHeld(long[] positions, int n) {
        for (int j = positions.length - n; j >= 0; j--) if (runHeldAt(positions, j, n)) return j;
        return -1;
    }

    /**
     * Whether boot packets {@code j .. j+n-1} are all held, at increasing positions (not necessarily consecutive:
     * a replica may hold packets between them that another lost).
     */
    static boolean runHeldAt(long[] positions, int j, int n) {
        if (n <= 0) return false;
        for (int t = 0; t < n; t++) {
            if (positions[j + t] < 0 || t > 0 && positions[j + t] <= positions[j + t - 1]) return false;
        }
        return true;
    }
}
