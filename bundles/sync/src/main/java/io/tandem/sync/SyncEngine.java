package io.tandem.sync;

import io.tandem.api.BootAck;
import io.tandem.api.Capture;
import io.tandem.api.BootHash;
import io.tandem.api.BootStart;
import io.tandem.api.ClusterHashNotice;
import io.tandem.api.ClusterHashes;
import io.tandem.api.ClusterParameters;
import io.tandem.api.ConnectionManager;
import io.tandem.api.HashDatabase;
import io.tandem.api.HashList;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.PeerInfo;
import io.tandem.api.PeerRequestHandler;
import io.tandem.api.RoundOutcome;
import io.tandem.api.SyncListener;
import io.tandem.sync.internal.NWayMerge;
import io.tandem.sync.internal.PeerLostException;
import io.tandem.sync.internal.RoundMailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * One replica's synchronization: bootstrap, then the round loop of thesis Figure 13 generalised to N replicas.
 *
 * <p>Round r covers {@code k} positions from the aligned end {@code A} ({@code (d+1)k} at desync level d).
 * At level 0 each replica pushes the round's cluster hash to every peer; if all agree, A advances by k. Otherwise
 * every replica fixes its window of individual hashes, fetches everybody's ({@code getclhashes}), and runs the same
 * deterministic {@link NWayMerge} on the same lists: up to the anchor, each replica inserts what it lacks (fetched
 * from the first replica holding it) and every replica then holds the same sequence; without an anchor the desync
 * level rises. Packets before A are delivered to the {@link SyncListener} in position order.
 *
 * <p>Threads: the sync thread runs everything above; in mode 1 a capture thread registers packets concurrently;
 * network threads call the {@link PeerRequestHandler} methods, which never block.
 */
public final class SyncEngine implements PeerRequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
    private static final int BOOT_ATTEMPTS = 16;
    private static final int KEPT_WINDOWS = 8;

    private final SyncSettings settings;
    private final HashDatabase db;
    private final ConnectionManager peers;
    private final Capture capture;
    private final SyncListener listener;
    private final ClusterParameters params;
    private final int k;
    private final int l;

    private final RoundMailbox mailbox = new RoundMailbox();
    private final Map<Long, CompletableFuture<ClusterHashes>> windows = new ConcurrentHashMap<>();
    private final Map<String, Long> peerAlignedEnd = new ConcurrentHashMap<>();
    private final BlockingQueue<Object> bootInbox = new LinkedBlockingQueue<>();
    private final CountDownLatch finished = new CountDownLatch(1);

    private volatile Thread syncThread;
    private volatile Thread captureThread;
    private volatile boolean stopping;
    private volatile String failure;
    private volatile boolean booted;
    private final Object captureGate = new Object();
    private volatile long wantEnd;

    // Sync-thread state, published through volatile reads for stats.
    private List<String> members = List.of();
    private int self;
    private volatile long round;
    private volatile long epoch;
    private volatile int desync;
    private volatile long alignedEnd;
    private volatile long delivered;
    private long pushedRound = -1;
    private long pushedEpoch = -1;
    private volatile int maxDesync;
    private volatile long syncedRounds, mismatchRounds, noAnchorRounds, recovered, shrunkAnchors, joinedDuplicates;
    private final LongAdder served = new LongAdder();

    public SyncEngine(SyncSettings settings, HashDatabase db, ConnectionManager peers, Capture capture, SyncListener listener) {
        this.settings = settings;
        this.db = db;
        this.peers = peers;
        this.capture = capture;
        this.listener = listener;
        this.params = peers.parameters();
        this.k = params.clusterSize();
        this.l = params.anchorSize();
        if (!db.hashFunction().name().equals(params.hashName()) || db.snippet() != params.snippet()) {
            throw new IllegalArgumentException("hash database uses " + db.hashFunction().name() + "/" + db.snippet()
                    + " bytes but the cluster uses " + params.hashName() + "/" + params.snippet());
        }
        int windowLimit = db.capacity() / (2 * k) - 1;
        if (windowLimit < 1) throw new IllegalArgumentException("capacity " + db.capacity() + " cannot hold 4 rounds of k=" + k);
    }

    /**
     * Starts the sync thread and, for a non-leader, the capture thread: it captures before the leader does (the
     * leader opens its capture at bootstrap).
     */
    public void start() {
        if (!settings.leader()) startCaptureThread();
        Thread t = new Thread(this::run, "tandem-sync-" + peers.localId());
        t.setDaemon(true);
        syncThread = t;
        t.start();
    }

    /** Stops both threads; packets held stay in the database. */
    public void stop() {
        stopping = true;
        Thread c = captureThread;
        if (c != null) c.interrupt();
        Thread s = syncThread;
        if (s != null) s.interrupt();
    }

    /** Waits until the engine ended (source done, rounds limit, stop or failure). */
    public boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    /** Why the engine stopped on its own with an error, or null. */
    public String failure() {
        return failure;
    }

    /**
     * Default boot hashes m: k as in the thesis, but at least 32 anchors' worth, so that a lossy replica still holds
     * l consecutive boot packets (at 50 % loss a run of 4 in 8 packets is rare, in 128 nearly certain).
     */
    public static int bootSize(ClusterParameters p) {
        return Math.max(p.clusterSize(), 32 * p.anchorSize());
    }

    /** True once bootstrap is done and the round loop runs. */
    public boolean booted() {
        return booted;
    }

    public List<String> members() {
        return members;
    }

    public SyncStats stats() {
        long a = alignedEnd;
        return new SyncStats(round, epoch, desync, maxDesync, a, delivered, syncedRounds, mismatchRounds, noAnchorRounds,
                recovered, served.sum(), shrunkAnchors, joinedDuplicates, Math.max(0, db.end() - a));
    }

    // ---------------------------------------------------------------- sync thread

    private void run() {
        try {
            if (settings.leader()) bootstrapAsLeader();
            else bootstrapAsFollower();
            booted = true;
            LOG.info("{}: bootstrapped, members {}", peers.localId(), members);
            roundLoop();
            listener.onEnd();
        } catch (InterruptedException e) {
            if (!stopping) failure = "interrupted";
        } catch (RuntimeException | PeerRequestException e) {
            failure = e.getMessage();
            LOG.error("{}: sync stopped: {}", peers.localId(), e.getMessage());
        } finally {
            Thread c = captureThread;
            if (c != null && (failure != null || stopping)) c.interrupt();
            finished.countDown();
        }
    }

    private void roundLoop() throws InterruptedException, PeerRequestException {
        // Shorter anchors are a last resort: only once the window has grown past both the configured level and
        // about 2048 packets (at small k a level is only a few packets), and before it outgrows the database.
        int shrinkLevel = Math.min(Math.max(settings.maxDesyncLevel(), 2048 / k), db.capacity() / (2 * k) - 1);
        while (!stopping && (settings.roundsLimit() == 0 || round < settings.roundsLimit())) {
            long base = alignedEnd;
            if (desync == 0) {
                long target = base + k;
                ensureEnd(target);
                int have = (int) (Math.min(db.end(), target) - base);
                boolean sourceDone = db.sourceEnded() && db.end() <= target;
                ClusterHashNotice mine = new ClusterHashNotice(round, epoch, base, have, sourceDone, alignedEnd, db.clusterHash(base, have));
                pushClusterHashes(mine);
                boolean agree = true;
                boolean allDone = sourceDone;
                for (String p : peerIds()) {
                    ClusterHashNotice n = mailbox.take(p, round, epoch);
                    peerAlignedEnd.merge(p, n.alignedEnd(), Math::max);
                    agree &= n.count() == have && n.hash().equals(mine.hash());
                    allDone &= n.sourceEnded();
                }
                if (agree && (have == k || allDone)) {
                    alignedEnd = base + have;
                    syncedRounds++;
                    finishRound(RoundOutcome.SYNCED);
                    if (allDone && have < k) return;
                    continue;
                }
            }
            if (exchangeAndMerge(base, shrinkLevel)) return;
        }
    }

    /** Rounds with individual hashes: returns true when every replica's finite source is fully aligned. */
    private boolean exchangeAndMerge(long base, int shrinkLevel) throws InterruptedException, PeerRequestException {
        mismatchRounds++;
        long target = base + (long) (desync + 1) * k;
        ensureEnd(target);
        // The window also takes what is already held beyond the round, up to the limit: under load one exchange
        // then aligns many rounds. Windows may differ in size; the merge is deterministic whatever they hold.
        boolean ended = db.sourceEnded();
        long held = db.end();
        long windowEnd = Math.min(held, Math.max(target, base + settings.windowLimit()));
        int have = (int) (windowEnd - base);
        boolean complete = ended && held <= windowEnd;
        ClusterHashes mine = new ClusterHashes(round, epoch, base, complete, db.hashes(base, have));
        // Fix our hashes before asking for theirs: peers must get this list, not one we have already realigned.
        windows.computeIfAbsent(round, r -> new CompletableFuture<>()).complete(mine);
        windows.keySet().removeIf(r -> r < round - KEPT_WINDOWS);

        List<HashList> lists = new ArrayList<>(members.size());
        boolean allComplete = true;
        Map<String, CompletableFuture<ClusterHashes>> asked = new HashMap<>();
        for (String p : peerIds()) asked.put(p, peers.getClusterHashes(p, round, epoch));
        for (int i = 0; i < members.size(); i++) {
            String p = members.get(i);
            long r = round;
            long e = epoch;
            ClusterHashes h = i == self ? mine : awaitPeer(p, asked.get(p), () -> peers.getClusterHashes(p, r, e));
            if (h.alignedEnd() != base || h.round() != round || h.epoch() != epoch) {
                throw new IllegalStateException("replica " + members.get(i) + " sent hashes of round " + h.round() + "/epoch " + h.epoch()
                        + " from position " + h.alignedEnd() + ", expected round " + round + "/epoch " + epoch + " from " + base + ": the replicas diverged");
            }
            if (i != self) peerAlignedEnd.merge(members.get(i), h.alignedEnd(), Math::max);
            lists.add(h.hashes());
            allComplete &= h.complete();
        }
        int minAnchor = desync >= shrinkLevel ? 1 : l;
        NWayMerge.Result merge = NWayMerge.merge(lists, l, minAnchor, allComplete);
        joinedDuplicates += merge.joinedDuplicates();
        int[] sizes = lists.stream().mapToInt(HashList::size).toArray();
        if (merge.resolved() == 0) {
            if (allComplete && merge.length() == 0) {
                finishRound(RoundOutcome.SYNCED);
                return true;
            }
            noAnchorRounds++;
            desync++;
            maxDesync = Math.max(maxDesync, desync);
            finishRound(RoundOutcome.NO_ANCHOR);
            return false;
        }
        if (merge.anchorSize() > 0 && merge.anchorSize() < l) shrunkAnchors++;
        int inserted = recover(base, merge, lists);
        alignedEnd = base + merge.resolved();
        desync = 0;
        boolean closed = merge.windowClosed(sizes);
        finishRound(closed ? (inserted > 0 ? RoundOutcome.RECOVERED : RoundOutcome.PEERS_RECOVERED)
                : (inserted > 0 ? RoundOutcome.PARTIAL_RECOVERED : RoundOutcome.PARTIAL));
        return allComplete && merge.resolved() == merge.length();
    }

    /** Inserts the packets of the merged prefix this replica lacks, each from the first replica holding it. */
    private int recover(long base, NWayMerge.Result merge, List<HashList> lists) throws InterruptedException, PeerRequestException {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < merge.resolved(); i++) if (merge.positionIn(self, i) < 0) missing.add(i);
        if (!missing.isEmpty()) {
            Packet[] got = new Packet[missing.size()];
            int[] holderRank = new int[missing.size()];
            while (true) {
                Map<Integer, List<Integer>> byHolder = new HashMap<>();
                for (int j = 0; j < missing.size(); j++) {
                    if (got[j] != null) continue;
                    int holder = nthHolder(merge, members.size(), missing.get(j), holderRank[j]);
                    if (holder < 0) {
                        throw new IllegalStateException("round " + round + ": no peer still holds packet " + merge.hash(missing.get(j)).toHex(db.hashFunction().length()));
                    }
                    byHolder.computeIfAbsent(holder, h -> new ArrayList<>()).add(j);
                }
                if (byHolder.isEmpty()) break;
                for (Map.Entry<Integer, List<Integer>> e : byHolder.entrySet()) {
                    int holder = e.getKey();
                    List<Integer> js = e.getValue();
                    long[] originals = new long[js.size()];
                    for (int x = 0; x < js.size(); x++) originals[x] = lists.get(holder).original()[merge.positionIn(holder, missing.get(js.get(x)))];
                    String peer = members.get(holder);
                    Packet[] answer = awaitPeer(peer, peers.getPackets(peer, originals), null);
                    for (int x = 0; x < js.size(); x++) {
                        int j = js.get(x);
                        if (answer[x] != null) got[j] = answer[x];
                        else holderRank[j]++;
                    }
                }
            }
            long[] positions = new long[missing.size()];
            PacketHash[] expected = new PacketHash[missing.size()];
            for (int j = 0; j < missing.size(); j++) {
                positions[j] = base + missing.get(j);
                expected[j] = merge.hash(missing.get(j));
            }
            db.registerMissed(positions, got, expected);
            recovered += missing.size();
        }
        // Every replica must now hold exactly the merged prefix; anything else is a bug worth stopping for.
        HashList now = db.hashes(base, merge.resolved());
        for (int i = 0; i < merge.resolved(); i++) {
            PacketHash h = merge.hash(i);
            if (now.hi()[i] != h.hi() || now.lo()[i] != h.lo()) {
                throw new IllegalStateException("round " + round + ": position " + (base + i) + " does not hold the merged packet after recovery");
            }
        }
        return missing.size();
    }

    /** The replica to ask for a packet: the first holding it, or the next ones when earlier ones no longer do. */
    private static int nthHolder(NWayMerge.Result merge, int lists, int mergedIndex, int rank) {
        int seen = 0;
        for (int i = 0; i < lists; i++) {
            if (merge.positionIn(i, mergedIndex) >= 0 && seen++ == rank) return i;
        }
        return -1;
    }

    /** Ends a round: deliver what is aligned, free what no peer needs, move to the next round. */
    private void finishRound(RoundOutcome outcome) {
        long a = alignedEnd;
        db.postSync(a);
        if (a > delivered) {
            db.forEach(delivered, a, (position, original, hi, lo, packet) -> listener.onDelivered(position, new PacketHash(hi, lo), packet));
            delivered = a;
        }
        long free = delivered;
        for (String p : peerIds()) free = Math.min(free, peerAlignedEnd.getOrDefault(p, 0L));
        if (free > db.start()) db.free(free);
        listener.onRound(round, outcome);
        if (outcome != RoundOutcome.SYNCED) epoch++;
        round++;
        mailbox.forgetBefore(round);
    }

    /** Pushes this round's cluster hash and, speculatively, the following ones already captured. */
    private void pushClusterHashes(ClusterHashNotice current) {
        if (pushedEpoch != epoch) {
            pushedEpoch = epoch;
            pushedRound = round - 1;
        }
        if (pushedRound < round) {
            broadcast(current);
            pushedRound = round;
        }
        if (current.count() < k) return;
        long end = db.end();
        while (pushedRound < round + settings.speculation() - 1) {
            long next = pushedRound + 1;
            long from = alignedEnd + (next - round) * k;
            if (from + k > end) break;
            broadcast(new ClusterHashNotice(next, epoch, from, k, false, alignedEnd, db.clusterHash(from, k)));
            pushedRound = next;
        }
    }

    private void broadcast(ClusterHashNotice n) {
        for (String p : peerIds()) peers.sendClusterHash(p, n);
    }

    /** Makes sure the database holds positions before {@code target}, or that the source has ended. */
    private void ensureEnd(long target) throws InterruptedException {
        if (target - db.start() > db.capacity()) {
            throw new IllegalStateException("round " + round + " needs " + (target - db.start()) + " packets held, capacity is " + db.capacity());
        }
        if (settings.mode() == 0 && target > wantEnd) {
            synchronized (captureGate) {
                wantEnd = target;
                captureGate.notifyAll();
            }
        }
        while (db.end() < target && !db.sourceEnded()) {
            if (stopping) throw new InterruptedException();
            db.awaitEnd(target, TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    private List<String> peerIds() {
        List<String> out = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) if (i != self) out.add(members.get(i));
        return out;
    }

    /** Waits for a peer's answer; a request that timed out is asked again while the peer is alive (an idle link is not a failure). */
    private <T> T awaitPeer(String peer, CompletableFuture<T> future, Supplier<CompletableFuture<T>> retry)
            throws InterruptedException, PeerRequestException {
        CompletableFuture<T> f = future;
        while (true) {
            try {
                return f.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                String lost = mailbox.lostReason(peer);
                if (lost != null) throw new PeerLostException(peer, lost);
            } catch (ExecutionException e) {
                String lost = mailbox.lostReason(peer);
                if (lost != null) throw new PeerLostException(peer, lost);
                Throwable cause = e.getCause();
                if (cause instanceof TimeoutException && retry != null) {
                    f = retry.get();
                    continue;
                }
                throw new PeerRequestException("request to " + peer + " failed: " + cause.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- bootstrap

    private void bootstrapAsLeader() throws InterruptedException, PeerRequestException {
        if (settings.bootPeers() > 0) {
            peers.awaitPeers(settings.bootPeers(), settings.bootWaitMillis() > 0 ? settings.bootWaitMillis() : Long.MAX_VALUE);
        }
        List<String> ids = new ArrayList<>();
        ids.add(peers.localId());
        for (PeerInfo p : peers.peers()) if (p.connected()) ids.add(p.id());
        ids.sort(null);
        setMembers(ids);
        // The leader opens its capture only now, so every follower already holds what the leader captures first.
        startCaptureThread();
        int m = settings.bootSize() > 0 ? settings.bootSize() : bootSize(params);
        for (int attempt = 1; attempt <= BOOT_ATTEMPTS; attempt++) {
            long from = (long) (attempt - 1) * m;
            ensureEnd(from + m);
            if (db.end() < from + m) {
                fatal("the source ended before " + m + " boot packets were captured");
            }
            HashList boot = db.hashes(from, m);
            PacketHash[] hashes = new PacketHash[m];
            for (int i = 0; i < m; i++) hashes[i] = boot.hash(i);
            BootHash message = new BootHash(attempt, members, hashes);
            List<long[]> acks = new ArrayList<>();
            Map<String, CompletableFuture<BootAck>> asked = new HashMap<>();
            for (String p : peerIds()) asked.put(p, peers.sendBootHash(p, message));
            for (String p : peerIds()) acks.add(awaitPeer(p, asked.get(p), null).positions());
            int index = bootIndex(acks, m);
            if (index >= 0) {
                BootStart start = new BootStart(attempt, index, members);
                for (String p : peerIds()) peers.sendBootStart(p, start);
                db.rebase(from + index);
                return;
            }
            LOG.warn("{}: boot attempt {}: no {} consecutive boot packets held by every replica; trying the next {}", peers.localId(), attempt, l, m);
        }
        fatal("no " + l + " consecutive boot packets were held by every replica in " + BOOT_ATTEMPTS + " attempts");
    }

    private void fatal(String reason) {
        for (String p : peerIds()) peers.sendBootHashFatal(p, reason);
        throw new IllegalStateException("bootstrap failed: " + reason);
    }

    /**
     * First boot index starting l consecutive boot packets that every follower holds, in the same order. Not
     * necessarily at consecutive positions: a follower may hold packets the leader lost between them; the rounds
     * recover those like any other.
     */
    private int bootIndex(List<long[]> acks, int m) {
        for (int j = 0; j + l <= m; j++) {
            boolean ok = true;
            for (long[] pos : acks) {
                for (int t = 0; t < l && ok; t++) ok = pos[j + t] >= 0 && (t == 0 || pos[j + t] > pos[j + t - 1]);
            }
            if (ok) return j;
        }
        return -1;
    }

    private record BootRequest(BootHash boot, CompletableFuture<BootAck> answer) {
    }

    private record BootFatal(String reason) {
    }

    private void bootstrapAsFollower() throws InterruptedException {
        Map<Integer, long[]> answered = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.bootTimeoutMillis());
        while (true) {
            Object msg = bootInbox.poll(100, TimeUnit.MILLISECONDS);
            if (stopping) throw new InterruptedException();
            if (msg == null) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("no boot hashes from the leader within " + settings.bootTimeoutMillis() + " ms");
                continue;
            }
            if (msg instanceof BootRequest req) {
                long[] positions = findBoot(req.boot().hashes());
                answered.put(req.boot().attempt(), positions);
                req.answer().complete(new BootAck(req.boot().attempt(), positions));
            } else if (msg instanceof BootStart start) {
                long[] positions = answered.get(start.attempt());
                if (positions == null || positions[start.index()] < 0) {
                    throw new IllegalStateException("leader started at boot packet " + start.index() + " of attempt " + start.attempt() + ", which this replica does not hold");
                }
                db.rebase(positions[start.index()]);
                setMembers(start.members());
                return;
            } else if (msg instanceof BootFatal f) {
                throw new IllegalStateException("the leader could not bootstrap: " + f.reason());
            }
        }
    }

    /** Looks for the boot hashes from the newest packet back; waits a little for packets not captured yet. */
    private long[] findBoot(PacketHash[] hashes) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (true) {
            long[] found = db.findBootCluster(hashes);
            if (found[found.length - 1] >= 0 || db.sourceEnded() || System.nanoTime() > until) return found;
            db.awaitEnd(db.end() + hashes.length, TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private void setMembers(List<String> ids) {
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        members = List.copyOf(sorted);
        self = members.indexOf(peers.localId());
        if (self < 0) throw new IllegalStateException("this replica (" + peers.localId() + ") is not among the members " + members);
    }

    /**
     * The capture thread. Mode 1: it captures as fast as packets come. Mode 0 (thesis EnqueuePackets): once
     * booted, it captures only what the current round asks for ({@link #ensureEnd}); a follower's capture still
     * runs freely before the bootstrap, since it must hold what the leader will capture first.
     */
    private void startCaptureThread() {
        Thread t = new Thread(() -> {
            try {
                while (!stopping) {
                    synchronized (captureGate) {
                        while (!stopping && !freeRunning() && db.end() >= wantEnd) captureGate.wait(100);
                    }
                    int n = freeRunning() ? 256 : (int) Math.max(1, Math.min(256, wantEnd - db.end()));
                    if (stopping || capture.captureSome(n) < 0) return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tandem-capture-" + peers.localId());
        t.setDaemon(true);
        captureThread = t;
        t.start();
    }

    private boolean freeRunning() {
        return settings.mode() == 1 || (!booted && !settings.leader());
    }

    // ---------------------------------------------------------------- peer requests (network threads)

    @Override
    public void onClusterHash(String peerId, ClusterHashNotice notice) {
        mailbox.put(peerId, notice);
    }

    @Override
    public CompletableFuture<ClusterHashes> onGetClusterHashes(String peerId, long round, long epoch) {
        return windows.computeIfAbsent(round, r -> new CompletableFuture<>()).thenApply(w -> {
            if (w.epoch() != epoch) {
                throw new IllegalStateException("round " + round + " is at epoch " + w.epoch() + " here, " + peerId + " asked for epoch " + epoch);
            }
            return w;
        });
    }

    @Override
    public Packet[] onGetPackets(String peerId, long[] originals) {
        Packet[] out = new Packet[originals.length];
        for (int i = 0; i < originals.length; i++) out[i] = db.packetByOriginal(originals[i]);
        for (Packet p : out) if (p != null) served.increment();
        return out;
    }

    @Override
    public CompletableFuture<BootAck> onBootHash(String peerId, BootHash boot) {
        CompletableFuture<BootAck> f = new CompletableFuture<>();
        bootInbox.add(new BootRequest(boot, f));
        return f;
    }

    @Override
    public void onBootStart(String peerId, BootStart start) {
        bootInbox.add(start);
    }

    @Override
    public void onBootHashFatal(String peerId, String reason) {
        bootInbox.add(new BootFatal(reason));
    }

    @Override
    public void onPeerLost(String peerId, String reason) {
        mailbox.peerLost(peerId, reason);
    }

    /** A request to a peer failed in a way retrying will not fix. */
    static final class PeerRequestException extends Exception {
        PeerRequestException(String message) {
            super(message);
        }
    }
}
