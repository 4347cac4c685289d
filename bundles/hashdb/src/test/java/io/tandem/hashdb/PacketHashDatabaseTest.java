package io.tandem.hashdb;

import io.tandem.api.HashDatabase.WhenFull;
import io.tandem.api.HashDatabaseStats;
import io.tandem.api.HashFunction;
import io.tandem.api.HashList;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketHashDatabaseTest {
    private static final int SNIPPET = 56;
    private static final HashFunction MD5 = HashFunctions.byName("md5");
    private static final long LONG_WAIT_SECONDS = 30;

    /** Real packets whose md5 snippet hashes are all different, so positions can be checked by hash. */
    private static List<Packet> distinct(int n) {
        List<Packet> out = new ArrayList<>();
        Set<PacketHash> seen = new HashSet<>();
        for (Packet p : TestPcaps.ordinary()) {
            if (seen.add(MD5.hashPacket(p, SNIPPET))) out.add(p);
            if (out.size() == n) return out;
        }
        throw new IllegalStateException("not " + n + " distinct packets in the test captures");
    }

    private static PacketHashDatabase db(int capacity, WhenFull whenFull) {
        return new PacketHashDatabase(MD5, SNIPPET, capacity, whenFull);
    }

    /** A database holding {@code packets}, booted at position 0. */
    private static PacketHashDatabase booted(int capacity, WhenFull whenFull, List<Packet> packets) throws InterruptedException {
        PacketHashDatabase db = db(capacity, whenFull);
        db.rebase(0);
        for (Packet p : packets) db.register(p);
        return db;
    }

    private static byte[] md5Snippet(Packet p) throws Exception {
        return MessageDigest.getInstance("MD5").digest(Arrays.copyOf(p.data(), Math.min(SNIPPET, p.data().length)));
    }

    private static List<Packet> heldPackets(PacketHashDatabase db) {
        List<Packet> out = new ArrayList<>();
        db.forEach(db.start(), db.end(), (pos, orig, hi, lo, packet) -> out.add(packet));
        return out;
    }

    private static List<Long> heldOriginals(PacketHashDatabase db) {
        List<Long> out = new ArrayList<>();
        db.forEach(db.start(), db.end(), (pos, orig, hi, lo, packet) -> out.add(orig));
        return out;
    }

    @Test
    void registerAppendsWithConsecutiveOriginals() throws Exception {
        List<Packet> packets = distinct(100);
        PacketHashDatabase db = db(1000, WhenFull.BLOCK);
        for (int i = 0; i < packets.size(); i++) assertEquals(i, db.register(packets.get(i)));
        assertEquals(0, db.start());
        assertEquals(100, db.end());
        for (int i = 0; i < packets.size(); i++) {
            Packet p = packets.get(i);
            assertSame(p, db.packet(i));
            assertSame(p, db.packetByOriginal(i));
            assertEquals(i, db.originalAt(i));
            byte[] md5 = md5Snippet(p);
            byte[] stored = new byte[16];
            db.hashAt(i).write(16, stored, 0);
            assertArrayEquals(md5, stored);
        }
        assertEquals(new HashDatabaseStats(100, 0, 0, 0, 100, 1000), db.stats());
        assertSame(MD5, db.hashFunction());
        assertEquals(SNIPPET, db.snippet());
        assertEquals(1000, db.capacity());
    }

    @Test
    void outOfRangeAccessThrows() throws Exception {
        PacketHashDatabase db = booted(100, WhenFull.BLOCK, distinct(10));
        db.free(3);
        assertThrows(IndexOutOfBoundsException.class, () -> db.packet(2));
        assertThrows(IndexOutOfBoundsException.class, () -> db.packet(10));
        assertThrows(IndexOutOfBoundsException.class, () -> db.hashAt(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> db.hashes(8, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> db.hashes(2, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> db.clusterHash(5, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> db.clusterHash(5, -1));
        assertEquals(0, db.hashes(10, 0).size());
        assertEquals(3, db.hashes(7, 3).size());
    }

    @Test
    void registerMissedAtSeveralPositionsShiftsAndKeepsOriginals() throws Exception {
        List<Packet> all = distinct(23);
        List<Packet> captured = all.subList(0, 20);
        List<Packet> missed = all.subList(20, 23);
        PacketHashDatabase db = booted(100, WhenFull.BLOCK, captured);

        long[] positions = {5, 6, 12};
        Packet[] recovered = missed.toArray(new Packet[0]);
        PacketHash[] expected = new PacketHash[3];
        for (int i = 0; i < 3; i++) expected[i] = MD5.hashPacket(recovered[i], SNIPPET);
        long[] originals = db.registerMissed(positions, recovered, expected);
        assertArrayEquals(new long[] {20, 21, 22}, originals);

        // Final positions: inserting in ascending order at those indices yields the expected sequence.
        List<Packet> model = new ArrayList<>(captured);
        List<Long> modelOriginals = new ArrayList<>();
        for (long i = 0; i < 20; i++) modelOriginals.add(i);
        for (int i = 0; i < 3; i++) {
            model.add((int) positions[i], recovered[i]);
            modelOriginals.add((int) positions[i], originals[i]);
        }
        assertEquals(model, heldPackets(db));
        assertEquals(modelOriginals, heldOriginals(db));
        assertSame(recovered[0], db.packet(5));
        assertSame(recovered[1], db.packet(6));
        assertSame(captured.get(5), db.packet(7));
        assertSame(recovered[2], db.packet(12));
        assertEquals(23, db.end());
        for (int i = 0; i < 3; i++) assertSame(recovered[i], db.packetByOriginal(originals[i]));
        for (int i = 0; i < 20; i++) assertSame(captured.get(i), db.packetByOriginal(i));
        HashList h = db.hashes(4, 4);
        assertArrayEquals(new long[] {4, 20, 21, 5}, h.original());
        assertEquals(expected[1], h.hash(2));
        assertEquals(new HashDatabaseStats(20, 3, 0, 0, 23, 100), db.stats());
        // The next capture continues the original counter.
        assertEquals(23, db.register(all.get(0)));
    }

    @Test
    void registerMissedAtTheEndsAndIntoAnEmptyDatabase() throws Exception {
        List<Packet> all = distinct(8);
        PacketHashDatabase db = booted(100, WhenFull.BLOCK, List.of());
        // Into an empty database: positions 0 and 1.
        db.registerMissed(new long[] {0, 1}, new Packet[] {all.get(0), all.get(1)},
                new PacketHash[] {MD5.hashPacket(all.get(0), SNIPPET), MD5.hashPacket(all.get(1), SNIPPET)});
        db.register(all.get(2));
        // At the very start and past the old end.
        db.registerMissed(new long[] {0, 4}, new Packet[] {all.get(3), all.get(4)},
                new PacketHash[] {MD5.hashPacket(all.get(3), SNIPPET), MD5.hashPacket(all.get(4), SNIPPET)});
        assertEquals(List.of(all.get(3), all.get(0), all.get(1), all.get(2), all.get(4)), heldPackets(db));
        assertEquals(List.of(3L, 0L, 1L, 2L, 4L), heldOriginals(db));
    }

    @Test
    void wrongExpectedHashRejectsTheWholeBatch() throws Exception {
        List<Packet> all = distinct(13);
        PacketHashDatabase db = booted(100, WhenFull.BLOCK, all.subList(0, 10));
        List<Packet> before = heldPackets(db);
        Packet[] recovered = {all.get(10), all.get(11), all.get(12)};
        PacketHash[] expected = {MD5.hashPacket(all.get(10), SNIPPET), MD5.hashPacket(all.get(10), SNIPPET),
                MD5.hashPacket(all.get(12), SNIPPET)};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> db.registerMissed(new long[] {2, 7, 9}, recovered, expected));
        assertTrue(e.getMessage().contains("position 7"), e.getMessage());
        assertEquals(before, heldPackets(db));
        assertEquals(10, db.end());
        assertEquals(0, db.stats().recovered());
        // No original number was used up.
        assertEquals(10, db.register(all.get(10)));
    }

    @Test
    void registerMissedRejectsBadPositions() throws Exception {
        List<Packet> all = distinct(12);
        PacketHashDatabase db = booted(100, WhenFull.BLOCK, all.subList(0, 10));
        Packet[] one = {all.get(10)};
        PacketHash[] oneHash = {MD5.hashPacket(all.get(10), SNIPPET)};
        Packet[] two = {all.get(10), all.get(11)};
        PacketHash[] twoHashes = {MD5.hashPacket(all.get(10), SNIPPET), MD5.hashPacket(all.get(11), SNIPPET)};
        assertThrows(IllegalArgumentException.class, () -> db.registerMissed(new long[] {11}, one, oneHash));
        assertThrows(IllegalArgumentException.class, () -> db.registerMissed(new long[] {5, 5}, two, twoHashes));
        assertThrows(IllegalArgumentException.class, () -> db.registerMissed(new long[] {6, 5}, two, twoHashes));
        assertThrows(IllegalArgumentException.class, () -> db.registerMissed(new long[] {10, 12}, two, twoHashes));
        assertThrows(IllegalArgumentException.class, () -> db.registerMissed(new long[] {1}, one, new PacketHash[0]));
        db.free(3);
        assertThrows(IllegalArgumentException.class, () -> db.registerMissed(new long[] {2}, one, oneHash));
        db.postSync(6);
        assertEquals(6, db.alignedEnd());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> db.registerMissed(new long[] {5}, one, oneHash));
        assertTrue(e.getMessage().contains("aligned end 6"), e.getMessage());
        assertArrayEquals(new long[] {10, 11}, db.registerMissed(new long[] {6, 11}, two, twoHashes));
        assertSame(all.get(10), db.packet(6));
        assertSame(all.get(9), db.packet(10));
        assertSame(all.get(11), db.packet(11));
        assertThrows(IllegalArgumentException.class, () -> db.postSync(db.end() + 1));
        assertEquals(0, db.registerMissed(new long[0], new Packet[0], new PacketHash[0]).length);
    }

    @Test
    void findBootClusterFindsTheNewestOccurrence() throws Exception {
        List<Packet> all = distinct(20);
        Packet twice = all.get(3);
        List<Packet> seq = new ArrayList<>(all.subList(0, 15));
        seq.set(10, twice); // the same frame at positions 3 and 10
        PacketHashDatabase db = booted(100, WhenFull.BLOCK, seq);
        PacketHash dup = MD5.hashPacket(twice, SNIPPET);
        PacketHash at7 = MD5.hashPacket(all.get(7), SNIPPET);
        PacketHash absent = MD5.hashPacket(all.get(19), SNIPPET);
        PacketHash at1 = MD5.hashPacket(all.get(1), SNIPPET);
        assertArrayEquals(new long[] {3, 7, -1, 10, 1}, db.findBootCluster(new PacketHash[] {dup, at7, absent, dup, at1}));
        // one copy in the list: the newest packet; three copies of a hash held twice: the first copy is not found
        assertArrayEquals(new long[] {10}, db.findBootCluster(new PacketHash[] {dup}));
        assertArrayEquals(new long[] {-1, 3, 10}, db.findBootCluster(new PacketHash[] {dup, dup, dup}));
        // Packets before start() are gone.
        db.free(5);
        assertArrayEquals(new long[] {10, 7, -1}, db.findBootCluster(new PacketHash[] {dup, at7, at1}));
        db.free(11);
        assertArrayEquals(new long[] {-1, -1}, db.findBootCluster(new PacketHash[] {dup, at7}));
        assertEquals(0, db.findBootCluster(new PacketHash[0]).length);
    }

    @Test
    void findBootClusterWithFourByteHashes() throws Exception {
        HashFunction crc = HashFunctions.byName("crc32");
        List<Packet> packets = distinct(50);
        PacketHashDatabase db = new PacketHashDatabase(crc, SNIPPET, 100, WhenFull.BLOCK);
        for (Packet p : packets) db.register(p);
        PacketHash[] boot = new PacketHash[5];
        for (int i = 0; i < 5; i++) boot[i] = crc.hashPacket(packets.get(40 + i), SNIPPET);
        long[] found = db.findBootCluster(boot);
        for (int i = 0; i < 5; i++) assertEquals(crc.hashPacket(db.packet(found[i]), SNIPPET), boot[i]);
    }

    @Test
    void clusterHashIsMd5OfConcatenatedPacketHashes() throws Exception {
        List<Packet> packets = TestPcaps.first(300);
        PacketHashDatabase db = booted(1000, WhenFull.BLOCK, packets);
        for (int[] range : new int[][] {{0, 56}, {100, 56}, {244, 56}, {17, 1}, {3, 0}}) {
            MessageDigest cluster = MessageDigest.getInstance("MD5");
            for (int i = range[0]; i < range[0] + range[1]; i++) cluster.update(md5Snippet(packets.get(i)));
            byte[] got = new byte[16];
            db.clusterHash(range[0], range[1]).write(16, got, 0);
            assertArrayEquals(cluster.digest(), got, Arrays.toString(range));
        }
        assertNotEquals(db.clusterHash(0, 56), db.clusterHash(1, 56));
    }

    @Test
    void clusterHashWithFourByteHashesConcatenatesFourBytesEach() throws Exception {
        HashFunction crc = HashFunctions.byName("crc32");
        List<Packet> packets = TestPcaps.first(100);
        PacketHashDatabase db = new PacketHashDatabase(crc, SNIPPET, 1000, WhenFull.DROP);
        for (Packet p : packets) db.register(p);
        byte[] concat = new byte[56 * 4];
        for (int i = 0; i < 56; i++) {
            CRC32 c = new CRC32();
            Packet p = packets.get(10 + i);
            c.update(p.data(), 0, Math.min(SNIPPET, p.data().length));
            long v = c.getValue();
            for (int b = 0; b < 4; b++) concat[i * 4 + b] = (byte) (v >>> (24 - 8 * b));
        }
        CRC32 expected = new CRC32();
        expected.update(concat);
        assertEquals(new PacketHash(0, expected.getValue()), db.clusterHash(10, 56));
    }

    @Test
    void hashesReturnsHashesAndOriginals() throws Exception {
        List<Packet> packets = distinct(30);
        PacketHashDatabase db = booted(100, WhenFull.BLOCK, packets);
        db.free(10);
        HashList h = db.hashes(12, 5);
        assertEquals(5, h.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(MD5.hashPacket(packets.get(12 + i), SNIPPET), h.hash(i));
            assertEquals(12 + i, h.original()[i]);
        }
    }

    @Test
    void rebaseDiscardsEarlierPacketsAndRenumbers() throws Exception {
        List<Packet> packets = distinct(10);
        PacketHashDatabase db = db(100, WhenFull.BLOCK);
        for (Packet p : packets) db.register(p);
        assertFalse(db.booted());
        assertThrows(IllegalArgumentException.class, () -> db.rebase(11));
        db.rebase(4);
        assertTrue(db.booted());
        assertEquals(0, db.start());
        assertEquals(6, db.end());
        assertSame(packets.get(4), db.packet(0));
        assertSame(packets.get(9), db.packet(5));
        assertEquals(4, db.originalAt(0));
        assertSame(packets.get(4), db.packetByOriginal(4));
        assertNull(db.packetByOriginal(3));
        assertEquals(new HashDatabaseStats(10, 0, 0, 4, 6, 100), db.stats());
        assertArrayEquals(new long[] {2}, db.findBootCluster(new PacketHash[] {MD5.hashPacket(packets.get(6), SNIPPET)}));
        // A second bootstrap renumbers again and renumbers the aligned end too.
        db.postSync(3);
        db.rebase(2);
        assertEquals(1, db.alignedEnd());
        assertSame(packets.get(6), db.packet(0));
        assertEquals(6, db.stats().preBootDiscarded());
    }

    @Test
    void preBootEvictsTheOldestWhenFull() throws Exception {
        List<Packet> packets = distinct(8);
        PacketHashDatabase db = db(5, WhenFull.DROP);
        for (int i = 0; i < 8; i++) assertEquals(i, db.register(packets.get(i)));
        assertEquals(3, db.start());
        assertEquals(8, db.end());
        assertEquals(packets.subList(3, 8), heldPackets(db));
        assertNull(db.packetByOriginal(2));
        assertSame(packets.get(3), db.packetByOriginal(3));
        assertEquals(new HashDatabaseStats(8, 0, 0, 3, 5, 5), db.stats());
        // After bootstrap a full database drops instead.
        db.rebase(3);
        assertEquals(-1, db.register(packets.get(0)));
        assertEquals(new HashDatabaseStats(8, 0, 1, 3, 5, 5), db.stats());
    }

    @Test
    void preBootBlockingDatabaseWaitsForTheBootInsteadOfEvicting() throws Exception {
        // A replayed source can wait: evicting would throw away the very packets the leader will look for.
        List<Packet> packets = distinct(4);
        PacketHashDatabase db = db(3, WhenFull.BLOCK);
        for (int i = 0; i < 3; i++) db.register(packets.get(i));
        java.util.concurrent.CountDownLatch registered = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                db.register(packets.get(3));
                registered.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        assertFalse(registered.await(300, java.util.concurrent.TimeUnit.MILLISECONDS), "full before bootstrap: blocks");
        assertEquals(0, db.stats().preBootDiscarded());
        db.rebase(1);
        assertTrue(registered.await(30, java.util.concurrent.TimeUnit.SECONDS), "bootstrap made room");
        assertEquals(packets.subList(1, 4), heldPackets(db));
        t.join();
    }

    @Test
    void dropCountsWhenFullAndFreeMakesRoom() throws Exception {
        List<Packet> packets = distinct(6);
        PacketHashDatabase db = booted(3, WhenFull.DROP, List.of());
        assertEquals(0, db.register(packets.get(0)));
        assertEquals(1, db.register(packets.get(1)));
        assertEquals(2, db.register(packets.get(2)));
        assertEquals(-1, db.register(packets.get(3)));
        assertEquals(-1, db.register(packets.get(4)));
        HashDatabaseStats s = db.stats();
        assertEquals(2, s.droppedFull());
        assertEquals(3, s.registered());
        assertEquals(3, s.held());
        db.free(1);
        assertEquals(3, db.register(packets.get(5)));
        assertEquals(List.of(packets.get(1), packets.get(2), packets.get(5)), heldPackets(db));
        assertEquals(2, db.stats().droppedFull());
    }

    @Test
    void blockWaitsUntilFreeMakesRoom() throws Exception {
        List<Packet> packets = distinct(4);
        PacketHashDatabase db = booted(3, WhenFull.BLOCK, packets.subList(0, 3));
        CountDownLatch started = new CountDownLatch(1);
        AtomicLong original = new AtomicLong(Long.MIN_VALUE);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread capture = new Thread(() -> {
            started.countDown();
            try {
                original.set(db.register(packets.get(3)));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "capture");
        capture.start();
        assertTrue(started.await(LONG_WAIT_SECONDS, TimeUnit.SECONDS));
        awaitWaiting(capture);
        assertEquals(Long.MIN_VALUE, original.get());
        assertEquals(3, db.end());
        db.free(1);
        capture.join(TimeUnit.SECONDS.toMillis(LONG_WAIT_SECONDS));
        assertFalse(capture.isAlive());
        assertNull(failure.get());
        assertEquals(3, original.get());
        assertEquals(List.of(packets.get(1), packets.get(2), packets.get(3)), heldPackets(db));
        assertEquals(0, db.stats().droppedFull());
    }

    @Test
    void blockedRegisterIsInterruptible() throws Exception {
        List<Packet> packets = distinct(3);
        PacketHashDatabase db = booted(2, WhenFull.BLOCK, packets.subList(0, 2));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread capture = new Thread(() -> {
            try {
                db.register(packets.get(2));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "capture");
        capture.start();
        awaitWaiting(capture);
        capture.interrupt();
        capture.join(TimeUnit.SECONDS.toMillis(LONG_WAIT_SECONDS));
        assertFalse(capture.isAlive());
        assertTrue(failure.get() instanceof InterruptedException, String.valueOf(failure.get()));
        assertEquals(2, db.end());
        assertEquals(2, db.stats().registered());
    }

    /** Waits (generously) until the thread parks in a wait; the database's only waits are the full and end conditions. */
    private static void awaitWaiting(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LONG_WAIT_SECONDS);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(t.isAlive(), "thread ended instead of blocking");
            assertTrue(System.nanoTime() < deadline, "thread did not block");
            Thread.sleep(1);
        }
    }

    @Test
    void discardRemovesPacketsAndMovesLaterOnesDown() throws Exception {
        List<Packet> all = distinct(12);
        PacketHashDatabase db = booted(8, WhenFull.BLOCK, all.subList(0, 8));
        db.postSync(2);
        assertThrows(IllegalArgumentException.class, () -> db.discard(new long[] {1}), "before the aligned end");
        assertThrows(IllegalArgumentException.class, () -> db.discard(new long[] {8}), "beyond the end");
        assertThrows(IllegalArgumentException.class, () -> db.discard(new long[] {5, 3}), "not ascending");
        db.discard(new long[] {3, 5, 6});
        assertEquals(List.of(all.get(0), all.get(1), all.get(2), all.get(4), all.get(7)), heldPackets(db));
        assertEquals(List.of(0L, 1L, 2L, 4L, 7L), heldOriginals(db));
        assertEquals(5, db.end());
        assertSame(all.get(7), db.packetByOriginal(7), "a moved packet is still found by its original");
        assertNull(db.packetByOriginal(5), "a discarded one is not");
        assertEquals(3, db.stats().preBootDiscarded());
        // the room made lets a blocked capture go on, and later packets append after the moved ones
        for (Packet p : all.subList(8, 11)) db.register(p);
        assertEquals(MD5.hashPacket(all.get(10), SNIPPET), db.hashAt(7));
    }

    @Test
    void packetByOriginalAfterInsertsAndFrees() throws Exception {
        List<Packet> all = distinct(14);
        PacketHashDatabase db = booted(100, WhenFull.BLOCK, all.subList(0, 10));
        long[] orig = db.registerMissed(new long[] {3, 8}, new Packet[] {all.get(10), all.get(11)},
                new PacketHash[] {MD5.hashPacket(all.get(10), SNIPPET), MD5.hashPacket(all.get(11), SNIPPET)});
        for (int i = 0; i < 10; i++) assertSame(all.get(i), db.packetByOriginal(i));
        assertSame(all.get(10), db.packetByOriginal(orig[0]));
        assertSame(all.get(11), db.packetByOriginal(orig[1]));
        db.free(4); // positions 0..3: originals 0, 1, 2 and the recovered 10
        assertNull(db.packetByOriginal(0));
        assertNull(db.packetByOriginal(2));
        assertNull(db.packetByOriginal(orig[0]));
        assertSame(all.get(3), db.packetByOriginal(3));
        assertSame(all.get(11), db.packetByOriginal(orig[1]));
        assertNull(db.packetByOriginal(12)); // never registered
        assertNull(db.packetByOriginal(-1));
        db.free(db.end());
        for (long o = 0; o < 12; o++) assertNull(db.packetByOriginal(o));
    }

    @Test
    void freeReleasesAndRejectsBeyondEnd() throws Exception {
        PacketHashDatabase db = booted(100, WhenFull.BLOCK, distinct(10));
        assertThrows(IllegalArgumentException.class, () -> db.free(11));
        db.free(4);
        assertEquals(4, db.start());
        assertEquals(6, db.stats().held());
        db.free(2); // already freed: nothing happens
        assertEquals(4, db.start());
        db.free(10);
        assertEquals(10, db.start());
        assertEquals(10, db.end());
        assertEquals(0, db.stats().held());
    }

    @Test
    void awaitEndWaitsForPacketsAndStopsWhenTheSourceEnds() throws Exception {
        List<Packet> packets = distinct(10);
        PacketHashDatabase db = booted(100, WhenFull.BLOCK, packets.subList(0, 3));
        assertTrue(db.awaitEnd(3, 0));
        assertFalse(db.awaitEnd(4, 0));
        assertFalse(db.awaitEnd(4, TimeUnit.MILLISECONDS.toNanos(5)));

        CompletableFuture<Boolean> waiter = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                waiter.complete(db.awaitEnd(6, TimeUnit.SECONDS.toNanos(LONG_WAIT_SECONDS)));
            } catch (Throwable e) {
                waiter.completeExceptionally(e);
            }
        });
        t.start();
        awaitWaiting(t);
        for (int i = 3; i < 6; i++) db.register(packets.get(i));
        assertTrue(waiter.get(LONG_WAIT_SECONDS, TimeUnit.SECONDS));

        CompletableFuture<Boolean> shortWaiter = new CompletableFuture<>();
        Thread t2 = new Thread(() -> {
            try {
                shortWaiter.complete(db.awaitEnd(100, TimeUnit.SECONDS.toNanos(LONG_WAIT_SECONDS * 10)));
            } catch (Throwable e) {
                shortWaiter.completeExceptionally(e);
            }
        });
        t2.start();
        awaitWaiting(t2);
        assertFalse(db.sourceEnded());
        db.markSourceEnded();
        assertTrue(db.sourceEnded());
        assertFalse(shortWaiter.get(LONG_WAIT_SECONDS, TimeUnit.SECONDS));
        assertFalse(db.awaitEnd(7, TimeUnit.SECONDS.toNanos(LONG_WAIT_SECONDS)));
        assertTrue(db.awaitEnd(6, TimeUnit.SECONDS.toNanos(LONG_WAIT_SECONDS)));
        assertThrows(IllegalStateException.class, () -> db.register(packets.get(9)));
    }

    @Test
    void forEachVisitsHeldRangeInOrder() throws Exception {
        List<Packet> packets = distinct(10);
        PacketHashDatabase db = booted(100, WhenFull.BLOCK, packets);
        db.free(2);
        List<Long> positions = new ArrayList<>();
        db.forEach(0, 6, (pos, orig, hi, lo, packet) -> {
            positions.add(pos);
            assertEquals(pos, orig);
            assertSame(packets.get((int) pos), packet);
            assertEquals(MD5.hashPacket(packet, SNIPPET), new PacketHash(hi, lo));
        });
        assertEquals(List.of(2L, 3L, 4L, 5L), positions);
        // The visitor sees the range as it was, even when it changes the database (and it holds no lock meanwhile).
        List<Packet> visited = new ArrayList<>();
        db.forEach(2, 10, (pos, orig, hi, lo, packet) -> {
            db.free(pos + 1);
            visited.add(packet);
        });
        assertEquals(packets.subList(2, 10), visited);
        assertEquals(10, db.start());
        assertTrue(heldPackets(db).isEmpty());
    }

    @Test
    void forEachVisitorDoesNotBlockCapture() throws Exception {
        List<Packet> packets = distinct(4);
        PacketHashDatabase db = booted(100, WhenFull.BLOCK, packets.subList(0, 2));
        CountDownLatch registeredMeanwhile = new CountDownLatch(1);
        db.forEach(0, 2, (pos, orig, hi, lo, packet) -> {
            if (pos != 0) return;
            Thread capture = new Thread(() -> {
                try {
                    db.register(packets.get(2));
                    registeredMeanwhile.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            capture.start();
            try {
                assertTrue(registeredMeanwhile.await(LONG_WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(3, db.end());
    }

    @Test
    void recoveredPacketsBeyondCapacityGrowTheDatabase() throws Exception {
        List<Packet> all = distinct(200);
        PacketHashDatabase db = booted(16, WhenFull.DROP, all.subList(0, 16));
        db.free(5); // the circle's head moves off slot 0 so growth has to unwrap
        for (int i = 16; i < 21; i++) db.register(all.get(i));
        List<Packet> model = new ArrayList<>(heldPackets(db));
        List<Long> modelOriginals = new ArrayList<>(heldOriginals(db));
        int k = 60;
        long[] positions = new long[k];
        Packet[] recovered = new Packet[k];
        PacketHash[] expected = new PacketHash[k];
        for (int i = 0; i < k; i++) {
            // Interleaved with the 16 held packets, then the rest after the last of them.
            positions[i] = i < 15 ? 6 + 2L * i : 36 + (i - 15);
            recovered[i] = all.get(100 + i);
            expected[i] = MD5.hashPacket(recovered[i], SNIPPET);
        }
        long[] originals = db.registerMissed(positions, recovered, expected);
        for (int i = 0; i < k; i++) {
            model.add((int) (positions[i] - 5), recovered[i]);
            modelOriginals.add((int) (positions[i] - 5), originals[i]);
        }
        assertEquals(model, heldPackets(db));
        assertEquals(modelOriginals, heldOriginals(db));
        for (int i = 0; i < model.size(); i++) assertSame(model.get(i), db.packetByOriginal(modelOriginals.get(i)));
        assertEquals(-1, db.register(all.get(199)));
        assertEquals(16 + k, db.stats().held());
    }

    @Test
    void constructorValidates() {
        assertThrows(IllegalArgumentException.class, () -> new PacketHashDatabase(MD5, 0, 10, WhenFull.BLOCK));
        assertThrows(IllegalArgumentException.class, () -> new PacketHashDatabase(MD5, 56, 0, WhenFull.BLOCK));
        assertThrows(NullPointerException.class, () -> new PacketHashDatabase(null, 56, 10, WhenFull.BLOCK));
        assertThrows(NullPointerException.class, () -> new PacketHashDatabase(MD5, 56, 10, null));
    }
}
