package io.tandem.api;

/**
 * The packet queue and packet hash database of one replica: the operations of thesis Table 2.
 *
 * <p>Packets are kept in <em>positions</em>: their place in the replica's sequence, which is the aligned stream
 * once synchronized. Position 0 is the first packet after bootstrap ({@link #rebase}). Registering a missed
 * packet at position p shifts every later packet one position up; a packet's <em>original number</em> never
 * changes. Held packets occupy positions {@code [start(), end())}.
 *
 * <p>Memory is bounded by {@link #capacity()} packets. When full, {@link #register} either blocks (replay at top
 * speed, where the source can wait) or drops the packet and counts it (live capture, where it cannot). Before
 * the first {@link #rebase}, a full dropping database instead discards its oldest packet (a live non-leader
 * waiting for the leader's boot hashes keeps only the newest ones), counted separately; a blocking one blocks
 * (a replayed source waits for the cluster to boot). Packets recovered from peers are always inserted, even past
 * the capacity (the sync thread must not block on its own database); capture then waits for frees.
 *
 * <p>All operations are thread-safe; each is atomic (the thesis's "each request is processed in isolation").
 */
public interface HashDatabase {

    /**
     * What {@link #register} does when the database holds {@link #capacity()} packets. {@code JOIN_THEN_BLOCK}: a
     * replica joining a replay that is already running keeps the newest packets until it is booted (the others do
     * not wait for it), then blocks like the others.
     */
    enum WhenFull { BLOCK, DROP, JOIN_THEN_BLOCK }

    HashFunction hashFunction();

    /** Bytes of each packet that are hashed. */
    int snippet();

    int capacity();

    /** HASH_REGISTER: hashes and appends a captured packet. Returns its original number, or -1 if dropped because full. */
    long register(Packet packet) throws InterruptedException;

    /**
     * HASH_REGISTER for {@code count} packets at once, in order (capture's fast path: one lock for a batch).
     * Returns how many were registered; the others were dropped because the database was full or, if the thread
     * was interrupted while blocked on a full database, not registered (the interrupt flag is then set again).
     */
    default int registerAll(Packet[] packets, int count) throws InterruptedException {
        int registered = 0;
        try {
            for (int i = 0; i < count; i++) if (register(packets[i]) >= 0) registered++;
        } catch (InterruptedException e) {
            if (registered == 0) throw e;
            Thread.currentThread().interrupt();
        }
        return registered;
    }

    /**
     * HASH_MISSED_REG: inserts packets recovered from peers. {@code positions} are ascending and are the
     * positions the packets have once all are inserted (so inserting at 5 and 6 puts two packets before the one
     * that was at 5). Each packet's hash is recomputed and must equal {@code expected[i]}; otherwise nothing is
     * inserted and an IllegalArgumentException names the position. Returns the new original numbers.
     */
    long[] registerMissed(long[] positions, Packet[] packets, PacketHash[] expected);

    /**
     * Removes the packets at {@code positions} (ascending, none before the aligned end), moving later ones down: a
     * replica that joined a running cluster drops what it captured before it joined that the members' delivered
     * stream does not hold (the members lost it; inserting it would change what they already delivered). Counted
     * as pre-boot discarded.
     */
    void discard(long[] positions);

    /**
     * HASH_CL_FIND: searches the held packets from the newest backwards for each of {@code bootHashes} and
     * returns, per index, the position of the newest packet with that hash, or -1. A hash the list holds c times
     * takes the c newest packets with it, its last copy the newest (repeated frames are found in order).
     */
    default long[] findBootCluster(PacketHash[] bootHashes) {
        return findBootCluster(bootHashes, Long.MAX_VALUE);
    }

    /** As {@link #findBootCluster(PacketHash[])}, among the packets captured at or before {@code notAfterMicros}. */
    long[] findBootCluster(PacketHash[] bootHashes, long notAfterMicros);

    /**
     * Before bootstrap: keeps the packets from {@code position} on for {@code millis} or until {@link #rebase} (a
     * follower's boot answer names them, and the leader's start may pick any of them). A full database that would
     * discard its oldest packet grows instead, up to twice its capacity.
     */
    void keepFrom(long position, long millis);

    /** HASH_CL_GET: the cluster hash (hash of the concatenated packet hashes) of {@code count} packets from {@code from}. */
    PacketHash clusterHash(long from, int count);

    /** HASH_GET_HASHES: hashes and original numbers of {@code count} packets from position {@code from}. */
    HashList hashes(long from, int count);

    /** HASH_GET_OPCKT: the packet registered under {@code original}, or null if not held (freed or never seen). */
    Packet packetByOriginal(long original);

    /** HASH_GET_PCKT: the packet at {@code position}; IndexOutOfBoundsException outside {@code [start(), end())}. */
    Packet packet(long position);

    /** The hash of the packet at {@code position}. */
    PacketHash hashAt(long position);

    /**
     * Bootstrap: forgets every packet before {@code position} (captured before the cluster's first packet) and
     * renumbers so that it becomes position 0. Ends the pre-boot regime (full then blocks or drops).
     */
    void rebase(long position);

    /**
     * A replica joining a running cluster: like {@link #rebase(long)}, but the packet at {@code position} becomes
     * position {@code as}, its place in the cluster's aligned stream.
     */
    default void rebase(long position, long as) {
        if (as != 0) throw new UnsupportedOperationException("this hash database cannot renumber to " + as);
        rebase(position);
    }

    /** HASH_POST_SYNC: positions before {@code alignedEnd} are aligned at every replica (no insertions there any more). */
    void postSync(long alignedEnd);

    /** HASH_FREE: releases the packets before {@code position} (delivered and no longer needed by any peer). */
    void free(long position);

    /** First held position. */
    long start();

    /** One past the last held position. */
    long end();

    /** Waits until {@code end() >= position}; false on timeout or when the source ended short of it. */
    boolean awaitEnd(long position, long timeoutNanos) throws InterruptedException;

    /** The capture side says no more packets will be registered (end of a finite source). */
    void markSourceEnded();

    boolean sourceEnded();

    /** Calls {@code visitor} for each held packet in {@code [from, to)} in position order. */
    void forEach(long from, long to, PacketVisitor visitor);

    /** Counters for status and stats. */
    HashDatabaseStats stats();

    @FunctionalInterface
    interface PacketVisitor {
        void visit(long position, long original, long hashHi, long hashLo, Packet packet);
    }
}
