package io.tandem.sync;

import io.tandem.api.BootAck;
import io.tandem.api.BootHash;
import io.tandem.api.BootStart;
import io.tandem.api.ConnectionManager;
import io.tandem.api.HashDatabase;
import io.tandem.api.HashList;
import io.tandem.api.PacketHash;
import io.tandem.sync.internal.RoundMailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The coordinator's side of a join (beyond the thesis): which connected replicas wait to be admitted, the boot
 * hashes sent to them and their answers. Called on the sync thread between rounds; {@link #peerJoined} on network
 * threads. The joiner's side is {@link Bootstrap}; the view change that follows is the engine's.
 */
final class Admission {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
    /** The coordinator waits for a joiner's answer as long as the joiner may wait for its packets. */
    private static final long JOIN_ANSWER_WAIT_MILLIS = Bootstrap.FIND_WAIT_MILLIS + 100;
    /** Admission is tried every half second at most. */
    private static final long RETRY_MILLIS = 500;

    private final HashDatabase db;
    private final ConnectionManager peers;
    private final RoundMailbox mailbox;
    private final Predicate<String> connected;
    private final int l;
    /** Replicas connected to this one that are not members: the coordinator (lowest member id) admits them. */
    private final Set<String> joiners = ConcurrentHashMap.newKeySet();
    private long nextAdmissionNanos;
    private int joinAttempts;
    private final Map<String, PendingBoot> pendingBoots = new HashMap<>();

    Admission(HashDatabase db, ConnectionManager peers, RoundMailbox mailbox, Predicate<String> connected) {
        this.db = db;
        this.peers = peers;
        this.mailbox = mailbox;
        this.connected = connected;
        this.l = peers.parameters().anchorSize();
    }

    /** A replica logged in after the boot: a new incarnation, to be admitted (its old one's loss comes first). */
    void peerJoined(String id) {
        joiners.add(id);
    }

    /** Joiners wait and the last try was long enough ago. */
    boolean due() {
        return !joiners.isEmpty() && System.nanoTime() - nextAdmissionNanos >= 0;
    }

    /** A view was agreed: its members are no joiners. */
    void members(List<String> members) {
        joiners.removeAll(members);
    }

    /**
     * The coordinator boots replicas that joined the mesh into the running stream (beyond the thesis): it sends
     * them the hashes of its last m aligned packets, which every member still holds (each frees only m behind the
     * aligned end it last heard from this one), and goes on with its rounds: a joiner that just started may take seconds to
     * answer, one whose full queue holds none of them answers at once and is asked again. Once a joiner answered,
     * the coordinator picks the last run of l of those packets it holds, tells it which stream position that packet
     * has, and a view change with the joiners realigns everyone from there. Returns those booted now: the view change
     * with them is the engine's.
     */
    List<String> admit(long view, long alignedEnd, List<String> members) throws InterruptedException {
        nextAdmissionNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS);
        List<String> admitted = new ArrayList<>();
        for (String q : List.copyOf(joiners)) {
            if (members.contains(q) || !connected.test(q)) {
                pendingBoots.remove(q);
                continue;
            }
            PendingBoot pending = pendingBoots.get(q);
            if (pending == null) {
                pending = sendJoinBoot(q, view, alignedEnd, members);
                if (pending == null) continue;
                pendingBoots.put(q, pending);
                // The rounds wait for the answer (at full speed the cluster would otherwise free the boot packets
                // before it came): a joiner holding them, or one whose full queue holds later traffic, answers at
                // once; one that just started waits up to two seconds to capture them.
                try {
                    pending.answer().get(JOIN_ANSWER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // handled below
                }
            }
            if (!pending.answer().isDone()) continue;
            pendingBoots.remove(q);
            long[] positions;
            try {
                positions = pending.answer().get().positions();
            } catch (ExecutionException e) {
                LOG.warn("{}: {} did not answer its boot hashes ({}); trying again", peers.localId(), q, e.getCause().getMessage());
                continue;
            }
            // the boot packets must still be held by every member, and the joiner's member list still right
            if (pending.view() != view || pending.from() < alignedEnd - SyncEngine.bootSize(peers.parameters())) continue;
            int index = Bootstrap.lastRunHeld(positions, l);
            if (index < 0) {
                LOG.info("{}: {} holds no {} consecutive of the last {} aligned packets yet; trying again", peers.localId(), q, l, positions.length);
                continue;
            }
            peers.sendBootStart(q, new BootStart(pending.attempt(), index, pending.members(), pending.from() + index, true));
            joiners.remove(q); // booted once; only a new incarnation (reconnecting) is a joiner again
            admitted.add(q);
        }
        if (!admitted.isEmpty()) pendingBoots.clear(); // their member lists would leave out those admitted now
        return admitted;
    }

    /** A boot request sent to a joiner and not answered yet: what it was made of. */
    private record PendingBoot(int attempt, long view, long from, List<String> members, CompletableFuture<BootAck> answer) {
    }

    /** Sends a joiner the hashes of the last m aligned packets, with the member list it will join. */
    private PendingBoot sendJoinBoot(String q, long view, long alignedEnd, List<String> members) {
        long from = Math.max(db.start(), alignedEnd - SyncEngine.bootSize(peers.parameters()));
        int count = (int) (alignedEnd - from);
        if (count < l) return null;
        HashList held = db.hashes(from, count);
        PacketHash[] hashes = new PacketHash[count];
        for (int i = 0; i < count; i++) hashes[i] = held.hash(i);
        List<String> next = new ArrayList<>(members);
        next.add(q);
        next.sort(null);
        // not a member, and connected now: the loss of an earlier incarnation with this id is history
        mailbox.peerBack(q);
        int attempt = ++joinAttempts;
        BootHash boot = new BootHash(attempt, next, hashes, true, db.packet(alignedEnd - 1).timestampMicros());
        return new PendingBoot(attempt, view, from, List.copyOf(next), peers.sendBootHash(q, boot));
    }
}
