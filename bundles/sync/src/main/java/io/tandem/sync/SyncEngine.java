package io.tandem.sync;

import io.tandem.api.AlertDigest;
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
import io.tandem.api.ViewProposal;
import io.tandem.sync.internal.NWayMerge;
import io.tandem.sync.internal.PeerLostException;
import io.tandem.sync.internal.RoundMailbox;
import io.tandem.sync.internal.ViewDecision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
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
 * <p>What it is made of: {@link Bootstrap} (the first boot, and a joiner's answers), {@link Admission} (the
 * coordinator's side of a join), the view change here with its decision in {@link ViewDecision} (a pure function
 * of the proposals), the merge in {@link NWayMerge}, the pushed cluster hashes in {@link RoundMailbox}, and the
 * round loop, recovery, delivery and freeing here.
 *
 * <p>Threads: the sync thread runs everything above; in mode 1 a capture thread registers packets concurrently;
 * network threads call the {@link PeerRequestHandler} methods, which never block.
 */
public final class SyncEngine implements PeerRequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
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
    private final Bootstrap bootstrap;
    private final CountDownLatch finished = new CountDownLatch(1);

    private volatile Thread syncThread;
    private volatile Thread captureThread;
    private volatile boolean stopping;
    private volatile String failure;
    private volatile boolean booted;
    private final Object captureGate = new Object();
    private volatile long wantEnd;

    // Sync-thread state, published through volatile reads for stats.
    private volatile List<String> members = List.of();
    private volatile BiConsumer<String, AlertDigest> alertDigests;
    private int self;
    private volatile long round;
    private volatile long epoch;
    private volatile int desync;
    private volatile long alignedEnd;
    private volatile long delivered;
    private long pushedRound = -1;
    /** Cluster hashes pushed ahead of their round, by round (this epoch's): not computed twice. */
    private final Map<Long, ClusterHashNotice> pushedAhead = new HashMap<>();
    private long pushedEpoch = -1;
    private volatile int maxDesync;
    private volatile long syncedRounds, mismatchRounds, noAnchorRounds, recovered, shrunkAnchors, joinedDuplicates, discarded;
    // Membership views (beyond the thesis: a lost replica does not stop the others). View 0 is the boot's.
    private volatile long view;
    private volatile long highestProposedView;
    private final Map<Long, Map<String, ViewProposal>> proposals = new ConcurrentHashMap<>();
    /** After a view change: the next round exchanges windows from this common base (-1: none pending) ... */
    private long commonBase = -1;
    /** ... and must resolve at least up to here, the furthest aligned end among the members ... */
    private long mustReach;
    /** ... which this member (the first in id order with it) delivered: its window's prefix is authoritative. */
    private String reachedBy;
    private final Admission admission;
    /** A follower whose boot was a join, until the view change that admits it is agreed. */
    private boolean joining;
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
        this.bootstrap = new Bootstrap(this, settings, db, peers);
        this.admission = new Admission(db, peers, mailbox, this::connected);
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

    boolean stopping() {
        return stopping;
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
                recovered, served.sum(), shrunkAnchors, joinedDuplicates, Math.max(0, db.end() - a), view, discarded);
    }

    // ---------------------------------------------------------------- sync thread

    private void run() {
        try {
            long joinedAt = settings.leader() ? bootstrap.asLeader() : bootstrap.asFollower();
            if (joinedAt >= 0) {
                // Everything before the start packet is the running cluster's past: counted as delivered.
                alignedEnd = joinedAt;
                delivered = joinedAt;
                joining = true;
            }
            booted = true;
            LOG.info("{}: bootstrapped{}, members {}", peers.localId(), joining ? " into a running cluster at " + alignedEnd : "", members);
            roundLoop();
            // every member aligned the whole finite source (or reached the rounds limit) in the same round
            if (!stopping) deliverUpTo(alignedEnd);
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
            try {
                if (joining) {
                    changeView(new PeerLostException(null, "joining the cluster"));
                    continue;
                }
                if (admissionDue()) {
                    List<String> admitted = admission.admit(view, alignedEnd, members);
                    if (!admitted.isEmpty()) {
                        changeView(new PeerLostException(null, "admitting " + admitted), admitted);
                        continue;
                    }
                }
                if (commonBase >= 0) {
                    if (exchangeAndMerge(commonBase, shrinkLevel)) return;
                } else if (syncRound(shrinkLevel)) {
                    return;
                }
            } catch (PeerLostException e) {
                changeView(e);
            } catch (AdmissionDue e) {
                // a round waiting for traffic (a quiet link, or a sim's wire held by the joiner) admits joiners too
            }
        }
    }

    /** The coordinator (lowest member id) admits joiners between rounds, every half second at most. */
    private boolean admissionDue() {
        return commonBase < 0 && !joining && members.get(0).equals(peers.localId()) && admission.due();
    }

    /** Thrown by a round still waiting for its packets (nothing of it sent yet) when joiners wait for admission. */
    private static final class AdmissionDue extends RuntimeException {
        AdmissionDue() {
            super(null, null, false, false);
        }
    }

    /** One round from the aligned end: cluster hashes, and on a mismatch the windows. True once everything is aligned. */
    private boolean syncRound(int shrinkLevel) throws InterruptedException, PeerRequestException {
        long base = alignedEnd;
        if (desync == 0) {
            long target = base + k;
            ensureEnd(target);
            int have = (int) (Math.min(db.end(), target) - base);
            boolean sourceDone = db.sourceEnded() && db.end() <= target;
            ClusterHashNotice ahead = pushedAhead.get(round);
            PacketHash hash = ahead != null && ahead.epoch() == epoch && ahead.from() == base && ahead.count() == have
                    ? ahead.hash() : db.clusterHash(base, have);
            ClusterHashNotice mine = new ClusterHashNotice(round, epoch, base, have, sourceDone, alignedEnd, hash);
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
                return allDone && have < k;
            }
        }
        return exchangeAndMerge(base, shrinkLevel);
    }

    /** Rounds with individual hashes: returns true when every replica's finite source is fully aligned. */
    private boolean exchangeAndMerge(long base, int shrinkLevel) throws InterruptedException, PeerRequestException {
        long target = base + (long) (desync + 1) * k;
        if (commonBase >= 0) target = Math.max(target, mustReach + k);
        ensureEnd(target);
        mismatchRounds++;
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
        // After a view change the members ahead of the base already delivered up to mustReach: that prefix of
        // their window is the stream, which a joiner's packets from before it joined must not change.
        NWayMerge.Authority authority = null;
        if (commonBase >= 0 && mustReach > base) authority = new NWayMerge.Authority(members.indexOf(reachedBy), (int) (mustReach - base));
        NWayMerge.Result merge = NWayMerge.merge(lists, l, minAnchor, allComplete, authority);
        joinedDuplicates += merge.joinedDuplicates();
        int[] sizes = lists.stream().mapToInt(HashList::size).toArray();
        // After a view change, members ahead of the common base already delivered up to mustReach: resolve past it.
        boolean shortOfReach = commonBase >= 0 && base + merge.resolved() < mustReach && !(allComplete && merge.resolved() == merge.length());
        if (merge.resolved() == 0 || shortOfReach) {
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
        int[] drop = merge.discarded(self);
        if (drop.length > 0) {
            long[] at = new long[drop.length];
            for (int j = 0; j < drop.length; j++) at[j] = base + drop[j];
            db.discard(at);
            discarded += drop.length;
            LOG.info("{}: {} packets captured before joining are not in the cluster's stream; discarded", peers.localId(), drop.length);
        }
        int inserted = recover(base, merge, lists);
        alignedEnd = base + merge.resolved();
        commonBase = -1;
        desync = 0;
        boolean closed = merge.windowClosed(sizes);
        finishRound(closed ? (inserted > 0 ? RoundOutcome.RECOVERED : RoundOutcome.PEERS_RECOVERED)
                : (inserted > 0 ? RoundOutcome.PARTIAL_RECOVERED : RoundOutcome.PARTIAL));
        return allComplete && merge.resolved() == merge.length();
    }

    /**
     * Agrees a new membership view with the members still reachable: every candidate pushes its proposal (members it
     * reaches, aligned end, round, epoch) to the others; once all candidates proposed the same members for the same
     * view, each one takes the same decisions from the same proposals: the next round number and epoch (past every
     * member's, so no old message counts), and a realignment from the smallest aligned end that must resolve past the
     * largest one, so a member that was behind catches up and none delivers a packet twice or skips one.
     */
    private void changeView(PeerLostException cause) throws InterruptedException {
        changeView(cause, List.of());
    }

    private void changeView(PeerLostException cause, List<String> admitted) throws InterruptedException {
        String me = peers.localId();
        TreeSet<String> candidates = new TreeSet<>(members);
        if (cause.peer() != null) candidates.remove(cause.peer());
        candidates.addAll(admitted);
        long v = view + 1;
        LOG.warn("{}: view {} ends ({}); proposing a view of {}", me, view, cause.getMessage(), candidates);
        while (true) {
            if (stopping) throw new InterruptedException();
            v = Math.max(v, highestProposedView);
            // Only the coordinator adds members (replicas it booted into the stream): adopt those it proposes, once
            // this replica's channels to them are up (a joiner logs in to every member after the coordinator).
            for (Map<String, ViewProposal> byPeer : proposals.values()) {
                for (ViewProposal q : byPeer.values()) {
                    if (q.view() < v) continue;
                    for (String p : q.members()) {
                        // (an earlier incarnation's loss does not count: the coordinator booted a new one)
                        if (candidates.contains(p) || p.equals(me)) continue;
                        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                        while (!connected(p) && System.nanoTime() - until < 0) Thread.sleep(5);
                        if (connected(p)) {
                            mailbox.peerBack(p);
                            candidates.add(p);
                        }
                    }
                }
            }
            candidates.removeIf(p -> !p.equals(me) && mailbox.lostReason(p) != null);
            ViewProposal mine = new ViewProposal(v, List.copyOf(candidates), alignedEnd, round, epoch);
            Map<String, ViewProposal> got = proposals.computeIfAbsent(v, x -> new ConcurrentHashMap<>());
            got.put(me, mine);
            for (String p : candidates) if (!p.equals(me)) peers.sendViewProposal(p, mine);
            boolean restart = false;
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!got.keySet().containsAll(candidates)) {
                if (stopping) throw new InterruptedException();
                if (System.nanoTime() - giveUp > 0) {
                    List<String> silent = candidates.stream().filter(p -> !got.containsKey(p)).toList();
                    // a replica joining that the members did not take in must not go on alone with its own stream
                    if (joining) {
                        throw new IllegalStateException("could not join the running cluster: no view " + v + " proposal from " + silent + " within 10 s");
                    }
                    // connected but silent (e.g. a joiner that failed its boot): the view goes on without it
                    LOG.warn("{}: no view {} proposal from {} within 10 s; proposing without them", me, v, silent);
                    silent.forEach(candidates::remove);
                    restart = true;
                    break;
                }
                if (highestProposedView > v || candidates.stream().anyMatch(p -> !got.containsKey(p) && mailbox.lostReason(p) != null)) {
                    restart = true;
                    break;
                }
                Thread.sleep(2);
            }
            if (restart) {
                v++;
                continue;
            }
            ViewDecision.Outcome outcome = ViewDecision.decide(v, List.copyOf(candidates), got);
            if (outcome instanceof ViewDecision.Retry retry) {
                candidates = new TreeSet<>(retry.members());
                v = retry.view();
                continue;
            }
            ViewDecision.Agreed agreed = (ViewDecision.Agreed) outcome;
            view = v;
            joining = false;
            admission.members(agreed.members());
            setMembers(agreed.members());
            peerAlignedEnd.keySet().retainAll(agreed.members());
            for (String p : peerIds()) peerAlignedEnd.put(p, got.get(p).alignedEnd());
            round = agreed.round();
            epoch = agreed.epoch();
            desync = 0;
            commonBase = agreed.base();
            mustReach = agreed.reach();
            reachedBy = agreed.reachedBy();
            final long done = v;
            proposals.keySet().removeIf(x -> x <= done);
            mailbox.forgetBefore(round);
            pushedAhead.clear();
            mailbox.viewChanged();
            if (highestProposedView > v) mailbox.viewChangeProposed();
            LOG.warn("{}: view {} agreed: members {}, realigning from {} past {}", me, v, members, agreed.base(), agreed.reach());
            return;
        }
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
        // Deliver only what every member reported aligned: a member that dies right after aligning a round that
        // its peers had not finished would otherwise have delivered packets the survivors never get (it recovered
        // what they lacked, they could not finish recovering from it), and their streams would differ from there.
        long committed = a;
        for (String p : peerIds()) committed = Math.min(committed, peerAlignedEnd.getOrDefault(p, 0L));
        deliverUpTo(committed);
        long free = delivered;
        // Keep m aligned packets behind everyone's aligned end: a replica joining is booted on them.
        free -= bootSize(params);
        if (free > db.start()) db.free(free);
        listener.onRound(round, outcome);
        if (outcome != RoundOutcome.SYNCED) epoch++;
        round++;
        mailbox.forgetBefore(round);
        pushedAhead.remove(round - 1);
        if (outcome != RoundOutcome.SYNCED) pushedAhead.clear();
    }

    private void deliverUpTo(long end) {
        if (end > delivered) {
            db.forEach(delivered, end, (position, original, hi, lo, packet) -> listener.onDelivered(position, new PacketHash(hi, lo), packet));
            delivered = end;
        }
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
            ClusterHashNotice n = new ClusterHashNotice(next, epoch, from, k, false, alignedEnd, db.clusterHash(from, k));
            broadcast(n);
            pushedAhead.put(next, n); // its hash serves again when the round comes
            pushedRound = next;
        }
    }

    private void broadcast(ClusterHashNotice n) {
        for (String p : peerIds()) peers.sendClusterHash(p, n);
    }

    /** Makes sure the database holds positions before {@code target}, or that the source has ended. */
    void ensureEnd(long target) throws InterruptedException {
        long giveUp = 0;
        while (target - db.start() > db.capacity()) {
            // The queue's start is held m packets behind the slowest member's aligned end: a member being lost pins
            // it until the view change, which frees it. Wait a little for that news before calling it fatal.
            if (booted) {
                if (mailbox.isViewChangeProposed()) throw new PeerLostException(null, "a peer proposed a new view");
                for (String p : peerIds()) {
                    String why = mailbox.lostReason(p);
                    if (why != null) throw new PeerLostException(p, why);
                }
            }
            long now = System.nanoTime();
            if (giveUp == 0) giveUp = now + TimeUnit.SECONDS.toNanos(10);
            if (stopping) throw new InterruptedException();
            if (now > giveUp) {
                throw new IllegalStateException("round " + round + " needs " + (target - db.start()) + " packets held, capacity is " + db.capacity());
            }
            Thread.sleep(20);
        }
        if (settings.mode() == 0 && target > wantEnd) {
            synchronized (captureGate) {
                wantEnd = target;
                captureGate.notifyAll();
            }
        }
        while (db.end() < target && !db.sourceEnded()) {
            if (stopping) throw new InterruptedException();
            if (booted && mailbox.isViewChangeProposed()) throw new PeerLostException(null, "a peer proposed a new view");
            if (booted && admissionDue()) throw new AdmissionDue();
            db.awaitEnd(target, TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    List<String> peerIds() {
        List<String> out = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) if (i != self) out.add(members.get(i));
        return out;
    }

    /** Waits for a peer's answer; a request that timed out is asked again while the peer is alive (an idle link is not a failure). */
    <T> T awaitPeer(String peer, CompletableFuture<T> future, Supplier<CompletableFuture<T>> retry)
            throws InterruptedException, PeerRequestException {
        CompletableFuture<T> f = future;
        while (true) {
            try {
                T answer = f.get(100, TimeUnit.MILLISECONDS);
                // A peer lost meanwhile may already be back as a new incarnation with the same id: an answer from it
                // ("not held", since its packets are not the old one's) is no answer from the member we asked.
                String lost = mailbox.lostReason(peer);
                if (lost != null) throw new PeerLostException(peer, lost);
                return answer;
            } catch (TimeoutException e) {
                String lost = mailbox.lostReason(peer);
                if (lost != null) throw new PeerLostException(peer, lost);
                if (booted && mailbox.isViewChangeProposed()) throw new PeerLostException(null, "a peer proposed a new view");
            } catch (ExecutionException e) {
                String lost = mailbox.lostReason(peer);
                if (lost != null) throw new PeerLostException(peer, lost);
                Throwable cause = e.getCause();
                // The channel closed before the loss was reported: the same loss, seen first by the request. (An
                // error answer, "could not answer", comes from a live peer and is not a loss.)
                boolean answered = cause.getMessage() != null && cause.getMessage().contains("could not answer");
                if (!connected(peer) || cause instanceof java.io.IOException && !answered) throw new PeerLostException(peer, cause.getMessage());
                if (cause instanceof TimeoutException && retry != null) {
                    f = retry.get();
                    continue;
                }
                throw new PeerRequestException("request to " + peer + " failed: " + cause.getMessage());
            }
        }
    }

    boolean connected(String peer) {
        for (PeerInfo p : peers.peers()) if (p.id().equals(peer)) return p.connected();
        return false;
    }

    void setMembers(List<String> ids) {
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        members = List.copyOf(sorted);
        self = members.indexOf(peers.localId());
        if (self < 0) throw new IllegalStateException("this replica (" + peers.localId() + ") is not among the members " + members);
        listener.onView(view, members);
    }

    /**
     * The capture thread. Mode 1: it captures as fast as packets come. Mode 0 (thesis EnqueuePackets): once
     * booted, it captures only what the current round asks for ({@link #ensureEnd}); a follower's capture still
     * runs freely before the bootstrap, since it must hold what the leader will capture first.
     */
    void startCaptureThread() {
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
        bootstrap.offer(new Bootstrap.Request(boot, f));
        return f;
    }

    @Override
    public void onBootStart(String peerId, BootStart start) {
        bootstrap.offer(start);
    }

    @Override
    public void onBootHashFatal(String peerId, String reason) {
        bootstrap.offer(new Bootstrap.Fatal(reason));
    }

    @Override
    public void onViewProposal(String peerId, ViewProposal proposal) {
        proposals.computeIfAbsent(proposal.view(), v -> new ConcurrentHashMap<>()).put(peerId, proposal);
        if (proposal.view() > view) {
            synchronized (proposals) {
                highestProposedView = Math.max(highestProposedView, proposal.view());
            }
            mailbox.viewChangeProposed();
        }
    }

    /** Who receives the alert digests peers push (the replica's alert filter session); null: they are ignored. */
    public void setAlertDigestReceiver(BiConsumer<String, AlertDigest> receiver) {
        this.alertDigests = receiver;
    }

    @Override
    public void onAlertDigest(String peerId, AlertDigest digest) {
        BiConsumer<String, AlertDigest> r = alertDigests;
        if (r != null) r.accept(peerId, digest);
    }

    @Override
    public void onPeerJoined(String peerId) {
        // A member that comes back is a new incarnation: its loss is processed first, then it is admitted anew.
        if (booted) admission.peerJoined(peerId);
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
