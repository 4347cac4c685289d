package io.tandem.hashdb;

import io.tandem.api.HashDatabase.WhenFull;
import io.tandem.api.HashFunction;
import io.tandem.api.HashList;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random sequences of register / registerMissed / free / postSync / rebase against a plain list, with a small
 * capacity so the circular buffer wraps, insertions take both shift directions and the arrays grow.
 */
class PacketHashDatabaseModelTest {
    private static final int SNIPPET = 56;

    private record Entry(long original, Packet packet, PacketHash hash) {
    }

    @Test
    void randomOperationsMatchAListModel() throws Exception {
        for (String name : List.of("md5", "crc32")) {
            for (long seed = 1; seed <= 6; seed++) run(HashFunctions.byName(name), seed, seed % 2 == 0 ? WhenFull.DROP : WhenFull.BLOCK);
        }
    }

    private void run(HashFunction f, long seed, WhenFull whenFull) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        List<Packet> source = TestPcaps.first(6000);
        int capacity = 24 + r.nextInt(40);
        PacketHashDatabase db = new PacketHashDatabase(f, SNIPPET, capacity, whenFull);
        List<Entry> model = new ArrayList<>();
        long start = 0;
        long nextOriginal = 0;
        long aligned = 0;
        boolean booted = false;
        long registered = 0, recovered = 0, dropped = 0, discarded = 0;
        int next = 0;
        for (int step = 0; step < 3000; step++) {
            int op = r.nextInt(100);
            String what;
            if (op < 55) {
                what = "register";
                Packet p = source.get(next++ % source.size());
                boolean full = model.size() >= capacity;
                if (full && whenFull == WhenFull.BLOCK) {
                    // Would block: make room first, as the sync thread would (recovered packets may overshoot).
                    long to = start + model.size() - capacity + 1;
                    db.free(to);
                    while (start < to) {
                        model.remove(0);
                        start++;
                    }
                }
                long o = db.register(p);
                if (full && booted && whenFull == WhenFull.DROP) {
                    assertEquals(-1, o);
                    dropped++;
                } else {
                    while (!booted && whenFull == WhenFull.DROP && model.size() >= capacity) {
                        model.remove(0);
                        start++;
                        discarded++;
                    }
                    assertEquals(nextOriginal++, o);
                    model.add(new Entry(o, p, f.hashPacket(p, SNIPPET)));
                    registered++;
                }
            } else if (op < 75) {
                what = "registerMissed";
                long lowest = Math.max(start, aligned);
                long end = start + model.size();
                int k = 1 + r.nextInt(4);
                // Choose final positions: k distinct values in [lowest, end + k).
                List<Long> candidates = new ArrayList<>();
                for (long p = lowest; p < end + k; p++) candidates.add(p);
                if (candidates.size() < k) continue;
                long[] positions = new long[k];
                for (int i = 0; i < k; i++) positions[i] = candidates.remove(r.nextInt(candidates.size()));
                java.util.Arrays.sort(positions);
                Packet[] packets = new Packet[k];
                PacketHash[] expected = new PacketHash[k];
                for (int i = 0; i < k; i++) {
                    packets[i] = source.get(next++ % source.size());
                    expected[i] = f.hashPacket(packets[i], SNIPPET);
                }
                long[] originals = db.registerMissed(positions, packets, expected);
                for (int i = 0; i < k; i++) {
                    assertEquals(nextOriginal++, originals[i]);
                    model.add((int) (positions[i] - start), new Entry(originals[i], packets[i], expected[i]));
                }
                recovered += k;
            } else if (op < 90) {
                what = "free";
                long to = start + r.nextInt(model.size() + 1);
                db.free(to);
                while (start < to) {
                    model.remove(0);
                    start++;
                }
            } else if (op < 96) {
                what = "postSync";
                long end = start + model.size();
                aligned = Math.max(aligned, start + r.nextInt((int) (end - start) + 1));
                db.postSync(aligned);
            } else {
                if (booted && r.nextInt(4) != 0) continue;
                what = "rebase";
                long at = start + r.nextInt(model.size() + 1);
                db.rebase(at);
                int n = (int) (at - start);
                for (int i = 0; i < n; i++) model.remove(0);
                discarded += n;
                aligned = Math.max(0, aligned - at);
                start = 0;
                booted = true;
            }
            String ctx = f.name() + " seed " + seed + " step " + step + " " + what;
            assertEquals(start, db.start(), ctx);
            assertEquals(start + model.size(), db.end(), ctx);
            assertEquals(registered, db.stats().registered(), ctx);
            assertEquals(recovered, db.stats().recovered(), ctx);
            assertEquals(dropped, db.stats().droppedFull(), ctx);
            assertEquals(discarded, db.stats().preBootDiscarded(), ctx);
            assertEquals(model.size(), db.stats().held(), ctx);
            if (!model.isEmpty()) {
                HashList all = db.hashes(start, model.size());
                for (int i = 0; i < model.size(); i++) {
                    Entry e = model.get(i);
                    assertEquals(e.original(), all.original()[i], ctx);
                    assertEquals(e.hash(), all.hash(i), ctx);
                    assertSame(e.packet(), db.packet(start + i), ctx);
                    assertSame(e.packet(), db.packetByOriginal(e.original()), ctx);
                }
            }
            // A sample of originals no longer held.
            for (int i = 0; i < 5 && nextOriginal > 0; i++) {
                long o = r.nextLong(nextOriginal);
                boolean held = model.stream().anyMatch(e -> e.original() == o);
                if (!held) assertEquals(null, db.packetByOriginal(o), ctx + " original " + o);
            }
        }
        assertTrue(registered > 1000);
    }
}
