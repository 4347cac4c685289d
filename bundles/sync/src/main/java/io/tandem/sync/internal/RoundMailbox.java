package io.tandem.sync.internal;

import io.tandem.api.ClusterHashNotice;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Cluster hashes pushed by peers, by round, until the sync thread takes them. A push for a round with an older
 * epoch than one already held is stale (it was computed before a realignment changed the round's packets).
 */
public final class RoundMailbox {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Map<String, Map<Long, ClusterHashNotice>> byPeer = new HashMap<>();
    private final Map<String, String> lost = new HashMap<>();
    /** Set when a peer proposed a new view: waits end so the sync thread can take part. */
    private volatile boolean viewChangeProposed;

    public void put(String peer, ClusterHashNotice notice) {
        lock.lock();
        try {
            Map<Long, ClusterHashNotice> rounds = byPeer.computeIfAbsent(peer, p -> new HashMap<>());
            ClusterHashNotice held = rounds.get(notice.round());
            if (held == null || held.epoch() < notice.epoch()) rounds.put(notice.round(), notice);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public void peerLost(String peer, String reason) {
        lock.lock();
        try {
            lost.putIfAbsent(peer, reason);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A replica of this id was booted into the stream again: its earlier incarnation's loss is forgotten. */
    public void peerBack(String peer) {
        lock.lock();
        try {
            lost.remove(peer);
            byPeer.remove(peer);
        } finally {
            lock.unlock();
        }
    }

    /** A peer proposed a new membership view: wakes {@link #take} (it throws) until {@link #viewChanged()}. */
    public void viewChangeProposed() {
        lock.lock();
        try {
            viewChangeProposed = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The sync thread agreed a new view. */
    public void viewChanged() {
        viewChangeProposed = false;
    }

    public boolean isViewChangeProposed() {
        return viewChangeProposed;
    }

    /** The reason a peer was lost, or null while it is up. */
    public String lostReason(String peer) {
        lock.lock();
        try {
            return lost.get(peer);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the peer's notice for (round, epoch), waiting for it. Stale notices for the round are dropped.
     *
     * @throws PeerLostException when the peer is lost while waiting, or a new view is proposed
     */
    public ClusterHashNotice take(String peer, long round, long epoch) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                Map<Long, ClusterHashNotice> rounds = byPeer.computeIfAbsent(peer, p -> new HashMap<>());
                ClusterHashNotice n = rounds.get(round);
                if (n != null) {
                    if (n.epoch() == epoch) {
                        rounds.remove(round);
                        return n;
                    }
                    if (n.epoch() > epoch) {
                        throw new IllegalStateException("peer " + peer + " is at epoch " + n.epoch() + " in round " + round + ", this replica at " + epoch + ": the replicas diverged");
                    }
                    rounds.remove(round);
                }
                String reason = lost.get(peer);
                if (reason != null) throw new PeerLostException(peer, reason);
                if (viewChangeProposed) throw new PeerLostException(null, "a peer proposed a new view");
                arrived.await(1, TimeUnit.SECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Forgets notices of rounds before {@code round} (answered or stale). */
    public void forgetBefore(long round) {
        lock.lock();
        try {
            for (Map<Long, ClusterHashNotice> rounds : byPeer.values()) rounds.keySet().removeIf(r -> r < round);
        } finally {
            lock.unlock();
        }
    }
}
