package io.tandem.hashdb;

import io.tandem.api.HashDatabase;
import io.tandem.api.HashDatabaseStats;
import io.tandem.api.HashFunction;
import io.tandem.api.HashList;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.hashdb.internal.BootHashIndex;
import io.tandem.hashdb.internal.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory {@link HashDatabase}: the packet queue of one replica with the hash and original number of every
 * held packet.
 *
 * <p><b>Layout.</b> Held packets live in four parallel arrays (hash hi, hash lo, original number, packet) used as a
 * circular buffer in position order: {@code free} and pre-boot eviction advance the head, {@code register} writes
 * behind the tail, and {@code registerMissed} shifts whichever side of the insertion points is shorter. An
 * original-number index, an {@code int[]} ring of {@code 2 * capacity} rounded up to a power of two indexed by
 * {@code original & mask}, holds each packet's slot so {@link #packetByOriginal} is O(1); an entry is trusted only
 * if the slot is held and stores that original, so freeing needs no index maintenance. About 28 bytes per slot
 * plus 8 to 16 bytes of ring per unit of capacity, well under 64 bytes per held packet, not counting the packets.
 *
 * <p><b>Limits.</b> Recovered packets ({@link #registerMissed}) are always inserted, even at capacity (the sync thread
 * inserting them is also the one that frees, so it must not block); the arrays then grow and {@code register} sees
 * the database as full until enough is freed (the ring grows with the arrays). {@link #packetByOriginal} returns
 * null for a held packet whose ring entry a packet registered a ring size (at least {@code 2 * capacity}) of
 * originals later took over; as captured packets are appended in original order, that takes more recovered packets
 * registered while the older packet is held than (roughly) the database holds.
 *
 * <p><b>Concurrency.</b> One lock guards everything; hashing (register, registerMissed, clusterHash) happens outside
 * it, so critical sections are array reads and writes; {@link #forEach} visits a copy outside the lock.
 */
public final class PacketHashDatabase implements HashDatabase {
    private static final Logger LOG = LoggerFactory.getLogger(PacketHashDatabase.class);

    /** Keeps the ring ({@code 2 * capacity} rounded up) within an int-indexed array. */
    public static final int MAX_CAPACITY = 1 << 28;

    private final HashFunction hashFunction;
    private final int hashLength;
    private final int snippet;
    private final int capacity;
    private final WhenFull whenFull;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when packets are released (free, rebase), for register() blocked in BLOCK mode. */
    private final Condition notFull = lock.newCondition();
    /** Signalled when end() grows or the source ends, for awaitEnd(). */
    private final Condition grown = lock.newCondition();

    // All below guarded by lock. Logical index i (0 = position startPos) lives in slot phys(i).
    private long[] hashHi;
    private long[] hashLo;
    private long[] originals;
    private Packet[] packets;
    private int slots;
    private int head;
    private int size;
    private long startPos;
    private long nextOriginal;
    private long alignedEnd;
    private boolean booted;
    /** Before the boot: packets from here on are not discarded to make room (see {@link #keepFrom}). */
    private long keptFrom = Long.MAX_VALUE;
    private long keptUntil;
    /** Slot of each original, at {@code original & ringMask}; verified against {@code originals} before use. */
    private int[] ring;
    private int ringMask;
    private long registered;
    private long recovered;
    private long droppedFull;
    private long preBootDiscarded;
    private volatile boolean sourceEnded;
    /** startPos + size as of the last change, written under the lock. */
    private volatile long publishedEnd;
    /** startPos as of the last change, written under the lock. */
    private volatile long publishedStart;

    /**
     * @param hashFunction the packet hash function
     * @param snippet      bytes of each packet that are hashed (the thesis uses 56)
     * @param capacity     packets held at most before register blocks, drops or (pre-boot) evicts
     * @param whenFull     what register does at capacity once booted
     */
    public PacketHashDatabase(HashFunction hashFunction, int snippet, int capacity, WhenFull whenFull) {
        this.hashFunction = Objects.requireNonNull(hashFunction, "hashFunction");
        this.whenFull = Objects.requireNonNull(whenFull, "whenFull");
        if (snippet <= 0) throw new IllegalArgumentException("snippet must be positive, not " + snippet);
        if (capacity <= 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in [1, " + MAX_CAPACITY + "], not " + capacity);
        }
        this.hashLength = hashFunction.length();
        if (hashLength != 16 && hashLength != 4) {
            throw new IllegalArgumentException("hash function " + hashFunction.name() + " has length " + hashLength + ", not 16 or 4");
        }
        this.snippet = snippet;
        this.capacity = capacity;
        // A little headroom so a few recovered packets at capacity do not force a growth.
        this.slots = capacity + Math.max(16, capacity >>> 6);
        this.hashHi = new long[slots];
        this.hashLo = new long[slots];
        this.originals = new long[slots];
        this.packets = new Packet[slots];
        this.ring = new int[ringSizeFor(capacity)];
        this.ringMask = ring.length - 1;
    }

    @Override
    public HashFunction hashFunction() {
        return hashFunction;
    }

    @Override
    public int snippet() {
        return snippet;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    public WhenFull whenFull() {
        return whenFull;
    }

    @Override
    public long register(Packet packet) throws InterruptedException {
        Objects.requireNonNull(packet, "packet");
        PacketHash h = hashFunction.hashPacket(packet, snippet);
        lock.lockInterruptibly();
        try {
            long original = append(packet, h.hi(), h.lo());
            if (original >= 0) grown.signalAll();
            return original;
        } finally {
            publishEnd();
            lock.unlock();
        }
    }

    /** {@inheritDoc} Hashes outside the lock, then appends the whole batch under one lock. */
    @Override
    public int registerAll(Packet[] batch, int count) throws InterruptedException {
        long[] hi = new long[count];
        long[] lo = new long[count];
        for (int i = 0; i < count; i++) {
            PacketHash h = hashFunction.hashPacket(Objects.requireNonNull(batch[i], "packet"), snippet);
            hi[i] = h.hi();
            lo[i] = h.lo();
        }
        lock.lockInterruptibly();
        try {
            int appended = 0;
            try {
                for (int i = 0; i < count; i++) if (append(batch[i], hi[i], lo[i]) >= 0) appended++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the caller learns how many were appended, then the interrupt
            }
            if (appended > 0) grown.signalAll();
            return appended;
        } finally {
            publishEnd();
            lock.unlock();
        }
    }

    /** Appends one hashed packet; the caller holds the lock. Blocks (BLOCK) or drops (DROP) when full. */
    private long append(Packet packet, long hi, long lo) throws InterruptedException {
        if (sourceEnded) throw new IllegalStateException("register after markSourceEnded()");
        while (size >= capacity) {
            if (!booted && whenFull != WhenFull.BLOCK) {
                if (startPos + size - capacity + 1 > keptFrom && System.nanoTime() - keptUntil < 0 && size < 2 * capacity) {
                    // what a boot answer named stays until the boot starts: the queue grows meanwhile (a gap in
                    // what it holds after the boot would be worse), up to twice its capacity
                    ensureSlots(size + 1);
                    break;
                }
                // A live non-leader waiting for the boot hashes only needs the newest packets.
                int n = size - capacity + 1;
                discardFront(n);
                preBootDiscarded += n;
            } else if (whenFull == WhenFull.DROP) {
                droppedFull++;
                return -1;
            } else {
                publishEnd();
                grown.signalAll(); // what this batch appended so far must not wait for the rest
                notFull.await();
            }
        }
        int p = phys(size);
        long original = nextOriginal++;
        hashHi[p] = hi;
        hashLo[p] = lo;
        originals[p] = original;
        packets[p] = packet;
        ring[(int) original & ringMask] = p;
        size++;
        registered++;
        return original;
    }

    /** Makes start() and end() readable without the lock (the sync thread reads them every round). */
    private void publishEnd() {
        publishedStart = startPos;
        publishedEnd = startPos + size;
    }

    @Override
    public long[] registerMissed(long[] positions, Packet[] packets, PacketHash[] expected) {
        Objects.requireNonNull(positions, "positions");
        Objects.requireNonNull(packets, "packets");
        Objects.requireNonNull(expected, "expected");
        int k = positions.length;
        if (packets.length != k || expected.length != k) {
            throw new IllegalArgumentException("registerMissed: " + k + " positions, " + packets.length + " packets, "
                    + expected.length + " expected hashes");
        }
        if (k == 0) return new long[0];
        for (int i = 1; i < k; i++) {
            if (positions[i] <= positions[i - 1]) {
                throw new IllegalArgumentException("registerMissed: positions not ascending at " + positions[i]);
            }
        }
        long[] hi = new long[k];
        long[] lo = new long[k];
        for (int i = 0; i < k; i++) {
            Objects.requireNonNull(packets[i], "packet for position " + positions[i]);
            PacketHash h = hashFunction.hashPacket(packets[i], snippet);
            if (!h.equals(expected[i])) {
                throw new IllegalArgumentException("registerMissed: packet for position " + positions[i] + " hashes to "
                        + h.toHex(hashLength) + ", expected " + (expected[i] == null ? "null" : expected[i].toHex(hashLength))
                        + "; nothing inserted");
            }
            hi[i] = h.hi();
            lo[i] = h.lo();
        }
        lock.lock();
        try {
            long end = startPos + size;
            long lowest = Math.max(startPos, alignedEnd);
            if (positions[0] < lowest) {
                throw new IllegalArgumentException("registerMissed: position " + positions[0] + " is before "
                        + (positions[0] < startPos ? "start " + startPos : "the aligned end " + alignedEnd) + "; nothing inserted");
            }
            if (positions[k - 1] >= end + k) {
                throw new IllegalArgumentException("registerMissed: position " + positions[k - 1] + " is beyond end " + end
                        + " + " + k + " inserted; nothing inserted");
            }
            ensureSlots(size + k);
            int[] at = new int[k];
            for (int i = 0; i < k; i++) at[i] = (int) (positions[i] - startPos);
            long first = nextOriginal;
            nextOriginal += k;
            insert(at, hi, lo, packets, first);
            recovered += k;
            grown.signalAll();
            long[] result = new long[k];
            for (int i = 0; i < k; i++) result[i] = first + i;
            return result;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void keepFrom(long position, long millis) {
        lock.lock();
        try {
            keptFrom = position;
            keptUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void discard(long[] positions) {
        Objects.requireNonNull(positions, "positions");
        if (positions.length == 0) return;
        lock.lock();
        try {
            long lowest = Math.max(startPos, alignedEnd);
            for (int i = 0; i < positions.length; i++) {
                if (i > 0 && positions[i] <= positions[i - 1]) throw new IllegalArgumentException("discard: positions not ascending at " + positions[i]);
                if (positions[i] < lowest || positions[i] >= startPos + size) {
                    throw new IllegalArgumentException("discard: position " + positions[i] + " is not within [" + lowest + ", "
                            + (startPos + size) + "); nothing discarded");
                }
            }
            int next = 0;
            int dst = (int) (positions[0] - startPos);
            for (int src = dst; src < size; src++) {
                if (next < positions.length && src == positions[next] - startPos) {
                    next++;
                    continue;
                }
                if (src != dst) move(phys(src), phys(dst));
                dst++;
            }
            for (int i = dst; i < size; i++) packets[phys(i)] = null;
            size = dst;
            preBootDiscarded += positions.length;
            publishEnd();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Inserts k packets at final logical indices {@code at} (ascending), moving the old packets on the cheaper side:
     * the tail right, or (head moved back by k) the prefix left. Slots must already suffice.
     */
    private void insert(int[] at, long[] hi, long[] lo, Packet[] pkts, long firstOriginal) {
        int k = at.length;
        int newSize = size + k;
        int tailMoves = size - at[0];
        int prefixMoves = at[k - 1] - (k - 1);
        if (tailMoves <= prefixMoves) {
            int src = size - 1;
            int j = k - 1;
            for (int dst = newSize - 1; j >= 0; dst--) {
                if (dst == at[j]) {
                    place(phys(dst), hi[j], lo[j], firstOriginal + j, pkts[j]);
                    j--;
                } else {
                    move(phys(src--), phys(dst));
                }
            }
        } else {
            head -= k;
            if (head < 0) head += slots;
            // The old logical index i is now at i + k.
            int src = k;
            int j = 0;
            for (int dst = 0; j < k; dst++) {
                if (dst == at[j]) {
                    place(phys(dst), hi[j], lo[j], firstOriginal + j, pkts[j]);
                    j++;
                } else {
                    move(phys(src++), phys(dst));
                }
            }
        }
        size = newSize;
        publishEnd();
    }

    private void place(int p, long hi, long lo, long original, Packet packet) {
        hashHi[p] = hi;
        hashLo[p] = lo;
        originals[p] = original;
        packets[p] = packet;
        ring[(int) original & ringMask] = p;
    }

    private void move(int from, int to) {
        long original = originals[from];
        hashHi[to] = hashHi[from];
        hashLo[to] = hashLo[from];
        originals[to] = original;
        packets[to] = packets[from];
        int r = (int) original & ringMask;
        // Only if the ring entry is this packet's: a newer original may own it.
        if (ring[r] == from) ring[r] = to;
    }

    /** Grows the arrays (recovered packets beyond the headroom); unwraps the circle and rebuilds the ring. */
    private void ensureSlots(int needed) {
        if (needed <= slots) return;
        long wanted = Math.max(needed, slots + (long) (slots >>> 1));
        if (needed > MAX_CAPACITY * 2L) throw new IllegalStateException("hash database cannot hold " + needed + " packets");
        int n = (int) Math.min(wanted, MAX_CAPACITY * 2L);
        LOG.warn("hash database of capacity {} grows from {} to {} slots: recovered packets beyond capacity", capacity, slots, n);
        hashHi = unwrap(hashHi, new long[n]);
        hashLo = unwrap(hashLo, new long[n]);
        originals = unwrap(originals, new long[n]);
        packets = unwrap(packets, new Packet[n]);
        head = 0;
        slots = n;
        // The ring grows too: it must span the originals of everything held, now more than capacity.
        ring = new int[Math.max(ring.length, ringSizeFor(n))];
        ringMask = ring.length - 1;
        Arrays.fill(ring, -1);
        for (int i = 0; i < size; i++) {
            int r = (int) originals[i] & ringMask;
            int cur = ring[r];
            if (cur < 0 || originals[cur] < originals[i]) ring[r] = i;
        }
    }

    /** Twice the packets, rounded up to a power of two so the index is {@code original & mask}. */
    private static int ringSizeFor(int packets) {
        return Integer.highestOneBit(2 * packets - 1) << 1;
    }

    private <A> A unwrap(A from, A to) {
        int firstPart = Math.min(size, slots - head);
        System.arraycopy(from, head, to, 0, firstPart);
        System.arraycopy(from, 0, to, firstPart, size - firstPart);
        return to;
    }

    /** Drops the n oldest packets (references cleared so their bytes can be collected). */
    private void discardFront(int n) {
        if (n <= 0) return;
        int firstPart = Math.min(n, slots - head);
        Arrays.fill(packets, head, head + firstPart, null);
        Arrays.fill(packets, 0, n - firstPart, null);
        head = phys(n);
        size -= n;
        startPos += n;
        publishEnd();
    }

    private int phys(int logical) {
        int p = head + logical;
        return p >= slots ? p - slots : p;
    }

    @Override
    public long[] findBootCluster(PacketHash[] bootHashes, long notAfterMicros) {
        Objects.requireNonNull(bootHashes, "bootHashes");
        BootHashIndex index = new BootHashIndex(bootHashes);
        int m = bootHashes.length;
        long[] found = new long[m];
        Arrays.fill(found, -1);
        // A hash the boot list holds c times takes the c newest packets with it, the last copy the newest, so a
        // repeating flow (A A B B ...) is found at increasing positions. Per canonical index: the boot indices of
        // its copies, newest first, chained through previousCopy.
        int[] lastCopy = new int[m];
        int[] previousCopy = new int[m];
        Arrays.fill(lastCopy, -1);
        for (int i = 0; i < m; i++) {
            int c = index.canonical(i);
            previousCopy[i] = lastCopy[c];
            lastCopy[c] = i;
        }
        int missing = m;
        lock.lock();
        try {
            for (int i = size - 1; i >= 0 && missing > 0; i--) {
                int p = phys(i);
                int c = index.find(hashHi[p], hashLo[p]);
                if (c < 0 || lastCopy[c] < 0 || packets[p] != null && packets[p].timestampMicros() > notAfterMicros) continue;
                int b = lastCopy[c];
                found[b] = startPos + i;
                lastCopy[c] = previousCopy[b];
                missing--;
            }
        } finally {
            lock.unlock();
        }
        return found;
    }

    @Override
    public PacketHash clusterHash(long from, int count) {
        byte[] concatenated;
        lock.lock();
        try {
            int first = checkRange(from, count);
            concatenated = new byte[count * hashLength];
            if (hashLength == 16) {
                for (int c = 0, o = 0; c < count; c++, o += 16) {
                    int p = phys(first + c);
                    Bytes.putLongBE(concatenated, o, hashHi[p]);
                    Bytes.putLongBE(concatenated, o + 8, hashLo[p]);
                }
            } else {
                for (int c = 0; c < count; c++) Bytes.putIntBE(concatenated, c * 4, (int) hashLo[phys(first + c)]);
            }
        } finally {
            lock.unlock();
        }
        return hashFunction.hash(concatenated, 0, concatenated.length);
    }

    @Override
    public HashList hashes(long from, int count) {
        lock.lock();
        try {
            int first = checkRange(from, count);
            if (count == 0) return HashList.EMPTY;
            long[] hi = new long[count];
            long[] lo = new long[count];
            long[] orig = new long[count];
            for (int c = 0; c < count; c++) {
                int p = phys(first + c);
                hi[c] = hashHi[p];
                lo[c] = hashLo[p];
                orig[c] = originals[p];
            }
            return new HashList(hi, lo, orig);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Also null, rarely, for a held packet whose index entry a much newer packet took (see the class comment).
     */
    @Override
    public Packet packetByOriginal(long original) {
        if (original < 0) return null;
        lock.lock();
        try {
            if (original >= nextOriginal) return null;
            int p = ring[(int) original & ringMask];
            if (p < 0) return null;
            int logical = p - head;
            if (logical < 0) logical += slots;
            if (logical >= size || originals[p] != original) return null;
            return packets[p];
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Packet packet(long position) {
        lock.lock();
        try {
            return packets[phys(checkRange(position, 1))];
        } finally {
            lock.unlock();
        }
    }

    @Override
    public PacketHash hashAt(long position) {
        lock.lock();
        try {
            int p = phys(checkRange(position, 1));
            return new PacketHash(hashHi[p], hashLo[p]);
        } finally {
            lock.unlock();
        }
    }

    /** The original number of the packet at {@code position}; IndexOutOfBoundsException outside {@code [start(), end())}. */
    public long originalAt(long position) {
        lock.lock();
        try {
            return originals[phys(checkRange(position, 1))];
        } finally {
            lock.unlock();
        }
    }

    /** The logical index of {@code from}, after checking {@code [from, from + count)} is held. */
    private int checkRange(long from, int count) {
        if (count < 0 || from < startPos || from > startPos + size - count) {
            throw new IndexOutOfBoundsException("positions [" + from + ", " + (from + count) + ") not within held ["
                    + startPos + ", " + (startPos + size) + ")");
        }
        return (int) (from - startPos);
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code position} must be within {@code [start(), end()]}. The discarded packets count as pre-boot discarded.
     * Calling it again (a new bootstrap) renumbers again.
     */
    @Override
    public void rebase(long position) {
        rebase(position, 0);
    }

    @Override
    public void rebase(long position, long as) {
        if (as < 0) throw new IllegalArgumentException("rebase to negative position " + as);
        lock.lock();
        try {
            if (position < startPos || position > startPos + size) {
                throw new IllegalArgumentException("rebase at " + position + " outside held [" + startPos + ", " + (startPos + size) + "]");
            }
            int n = (int) (position - startPos);
            discardFront(n);
            preBootDiscarded += n;
            startPos = as;
            publishEnd();
            alignedEnd = Math.max(as, alignedEnd - position + as);
            booted = true;
            keptFrom = Long.MAX_VALUE;
            notFull.signalAll();
            LOG.debug("rebased at old position {} as {}: {} packets discarded, {} held", position, as, n, size);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Enforced: later {@link #registerMissed} at a position below the largest {@code alignedEnd} is rejected.
     * {@code alignedEnd} beyond {@link #end()} is an IllegalArgumentException.
     */
    @Override
    public void postSync(long alignedEnd) {
        lock.lock();
        try {
            if (alignedEnd > startPos + size) {
                throw new IllegalArgumentException("postSync: aligned end " + alignedEnd + " beyond end " + (startPos + size));
            }
            this.alignedEnd = Math.max(this.alignedEnd, alignedEnd);
        } finally {
            lock.unlock();
        }
    }

    /** The largest aligned end given to {@link #postSync} (renumbered by rebase); 0 before any. */
    public long alignedEnd() {
        lock.lock();
        try {
            return alignedEnd;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #rebase} happened: before it, a full database evicts its oldest packet. */
    public boolean booted() {
        lock.lock();
        try {
            return booted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Positions at or before {@link #start()} are a no-op; beyond {@link #end()} an IllegalArgumentException.
     */
    @Override
    public void free(long position) {
        lock.lock();
        try {
            if (position > startPos + size) {
                throw new IllegalArgumentException("free up to " + position + " beyond end " + (startPos + size));
            }
            if (position <= startPos) return;
            discardFront((int) (position - startPos));
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long start() {
        return publishedStart;
    }

    @Override
    public long end() {
        return publishedEnd;
    }

    @Override
    public boolean awaitEnd(long position, long timeoutNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long nanos = timeoutNanos;
            while (startPos + size < position) {
                if (sourceEnded || nanos <= 0) return false;
                nanos = grown.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** {@link #awaitEnd(long, long)} with a TimeUnit. */
    public boolean awaitEnd(long position, long timeout, TimeUnit unit) throws InterruptedException {
        return awaitEnd(position, unit.toNanos(timeout));
    }

    /** {@inheritDoc} Later {@link #register} calls throw IllegalStateException. */
    @Override
    public void markSourceEnded() {
        lock.lock();
        try {
            sourceEnded = true;
            grown.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean sourceEnded() {
        return sourceEnded;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Positions outside the held range are skipped. The range is copied atomically under the lock and visited
     * after releasing it, so a slow visitor (delivery to the analyzer) never stalls capture, and it may call the
     * database; it sees the packets as they were when forEach was called.
     */
    @Override
    public void forEach(long from, long to, PacketVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        long first;
        long[] orig;
        long[] hi;
        long[] lo;
        Packet[] pkts;
        lock.lock();
        try {
            first = Math.max(from, startPos);
            int n = (int) Math.max(0, Math.min(to, startPos + size) - first);
            orig = new long[n];
            hi = new long[n];
            lo = new long[n];
            pkts = new Packet[n];
            int at = (int) (first - startPos);
            for (int i = 0; i < n; i++) {
                int p = phys(at + i);
                orig[i] = originals[p];
                hi[i] = hashHi[p];
                lo[i] = hashLo[p];
                pkts[i] = packets[p];
            }
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < pkts.length; i++) visitor.visit(first + i, orig[i], hi[i], lo[i], pkts[i]);
    }

    @Override
    public HashDatabaseStats stats() {
        lock.lock();
        try {
            return new HashDatabaseStats(registered, recovered, droppedFull, preBootDiscarded, size, capacity);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "PacketHashDatabase[" + hashFunction.name() + "/" + snippet + ", held [" + startPos + ", " + (startPos + size)
                    + ") of " + capacity + ", " + (booted ? whenFull : "pre-boot") + "]";
        } finally {
            lock.unlock();
        }
    }
}
