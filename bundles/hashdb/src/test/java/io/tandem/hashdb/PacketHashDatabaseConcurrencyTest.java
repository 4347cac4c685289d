package io.tandem.hashdb;

import io.tandem.api.HashDatabase.WhenFull;
import io.tandem.api.HashFunction;
import io.tandem.api.HashList;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One capture thread registering 200k real packets (BLOCK), one sync thread inserting recovered packets and freeing,
 * and three network threads reading hashes, cluster hashes and packets by original, all at once.
 */
class PacketHashDatabaseConcurrencyTest {
    private static final int SNIPPET = 56;
    private static final int TOTAL = 200_000;
    private static final int K = 56;

    @Test
    void captureSyncAndReadersStayConsistent() throws Exception {
        HashFunction md5 = HashFunctions.byName("md5");
        List<Packet> source = TestPcaps.ordinary();
        PacketHash[] sourceHash = new PacketHash[source.size()];
        for (int i = 0; i < source.size(); i++) sourceHash[i] = md5.hashPacket(source.get(i), SNIPPET);
        PacketHashDatabase db = new PacketHashDatabase(md5, SNIPPET, 20_000, WhenFull.BLOCK);
        db.rebase(0);
        // The hash of every original, set by whoever registered it right after the call returned.
        AtomicReferenceArray<PacketHash> expectedByOriginal = new AtomicReferenceArray<>(2 * TOTAL);
        Set<Long> recoveredOriginals = ConcurrentHashMap.newKeySet();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong checkedClusters = new AtomicLong();
        AtomicLong captured = new AtomicLong();

        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            Future<?> capture = pool.submit(() -> {
                for (int i = 0; i < TOTAL; i++) {
                    long o = db.register(source.get(i % source.size()));
                    expectedByOriginal.set((int) o, sourceHash[i % source.size()]);
                    captured.incrementAndGet();
                }
                db.markSourceEnded();
                return null;
            });
            Future<Long> sync = pool.submit(() -> {
                SplittableRandom r = new SplittableRandom(7);
                long inserted = 0;
                long cursor = 0;
                while (true) {
                    boolean more = db.awaitEnd(cursor + K, TimeUnit.SECONDS.toNanos(60));
                    if (!more) break;
                    if (r.nextInt(10) == 0) {
                        // Recover a packet inside the window not yet aligned.
                        long pos = cursor + r.nextInt(K);
                        Packet p = source.get(r.nextInt(source.size()));
                        PacketHash h = md5.hashPacket(p, SNIPPET);
                        long o = db.registerMissed(new long[] {pos}, new Packet[] {p}, new PacketHash[] {h})[0];
                        recoveredOriginals.add(o);
                        expectedByOriginal.set((int) o, h);
                        inserted++;
                    }
                    cursor += K;
                    db.postSync(cursor);
                    // Keep a backlog for the readers, free the rest.
                    if (cursor - db.start() > 10_000) db.free(cursor - 5_000);
                }
                return inserted;
            });
            List<Future<Long>> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                long seed = t;
                readers.add(pool.submit(() -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    long checks = 0;
                    MessageDigest md = MessageDigest.getInstance("MD5");
                    while (!done.get()) {
                        long start = db.start();
                        long end = db.end();
                        if (end - start < K) {
                            Thread.onSpinWait();
                            continue;
                        }
                        long from = start + r.nextLong(end - start - K + 1);
                        try {
                            HashList before = db.hashes(from, K);
                            PacketHash cluster = db.clusterHash(from, K);
                            HashList after = db.hashes(from, K);
                            for (int i = 0; i < K; i++) {
                                long o = before.original()[i];
                                PacketHash expected = expectedHash(expectedByOriginal, o);
                                if (!expected.equals(before.hash(i))) throw new AssertionError("original " + o + " has a wrong hash");
                                Packet p = db.packetByOriginal(o);
                                if (p != null && !md5.hashPacket(p, SNIPPET).equals(expected)) {
                                    throw new AssertionError("packetByOriginal(" + o + ") returned another packet");
                                }
                            }
                            // Nothing was inserted in between iff both reads agree; then the cluster hash must match.
                            if (Arrays.equals(before.original(), after.original())) {
                                byte[] buf = new byte[16];
                                for (int i = 0; i < K; i++) {
                                    before.hash(i).write(16, buf, 0);
                                    md.update(buf);
                                }
                                byte[] got = new byte[16];
                                cluster.write(16, got, 0);
                                if (!Arrays.equals(md.digest(), got)) throw new AssertionError("cluster hash at " + from);
                                checkedClusters.incrementAndGet();
                            }
                            checks++;
                        } catch (IndexOutOfBoundsException freedMeanwhile) {
                            // The sync thread freed the range between start() and the read: fine, try another.
                        }
                    }
                    return checks;
                }));
            }
            capture.get(5, TimeUnit.MINUTES);
            long inserted = sync.get(5, TimeUnit.MINUTES);
            done.set(true);
            long checks = 0;
            for (Future<Long> r : readers) checks += r.get(1, TimeUnit.MINUTES);

            assertEquals(TOTAL, captured.get());
            assertEquals(TOTAL, db.stats().registered());
            assertEquals(inserted, db.stats().recovered());
            assertEquals(0, db.stats().droppedFull());
            assertEquals(TOTAL + inserted, db.end());
            assertTrue(checks > 0, "readers checked nothing");
            assertTrue(checkedClusters.get() > 0, "no cluster hash was checked");
            // The final held sequence: captured originals in order, each with its hash.
            HashList held = db.hashes(db.start(), (int) (db.end() - db.start()));
            long lastCaptured = -1;
            for (int i = 0; i < held.size(); i++) {
                long o = held.original()[i];
                assertEquals(expectedHash(expectedByOriginal, o), held.hash(i));
                if (!recoveredOriginals.contains(o)) {
                    assertTrue(o > lastCaptured, "captured packets out of order");
                    lastCaptured = o;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The registering thread sets it just after register returns, so a reader may have to wait an instant. */
    private static PacketHash expectedHash(AtomicReferenceArray<PacketHash> expectedByOriginal, long original) {
        PacketHash h;
        while ((h = expectedByOriginal.get((int) original)) == null) Thread.onSpinWait();
        return h;
    }
}
