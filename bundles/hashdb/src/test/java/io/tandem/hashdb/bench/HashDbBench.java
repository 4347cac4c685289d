package io.tandem.hashdb.bench;

import io.tandem.api.HashDatabase.WhenFull;
import io.tandem.api.HashFunction;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.hashdb.HashFunctions;
import io.tandem.hashdb.PacketHashDatabase;
import io.tandem.hashdb.TestPcaps;

import java.lang.ref.Reference;
import java.util.List;

/**
 * Throughput and memory of the hash database with each built-in hash function, on real packets from the shared
 * captures. Not a unit test: run it by hand (see the module's report for the command). Optional argument: the
 * number of registrations per measurement (default 2,000,000).
 */
public final class HashDbBench {
    private static final int SNIPPET = 56;
    private static final int CLUSTER = 56;
    private static final int HELD = 50_000;
    private static volatile Object sink;

    private HashDbBench() {
    }

    public static void main(String[] args) throws Exception {
        int registrations = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        List<Packet> source = TestPcaps.ordinary();
        Packet[] packets = source.toArray(new Packet[0]);
        System.out.printf("HashDbBench: %d real packets from %s, snippet %d, %d registrations per run, Java %s%n",
                packets.length, TestPcaps.dataRoot().resolve("pcaps/ordinary"), SNIPPET, registrations,
                System.getProperty("java.version"));
        System.out.printf("%-14s %14s %16s %18s %18s%n", "function", "hash only/s", "register/s", "clusterHash/s", "(packets/s)");
        for (String name : HashFunctions.names()) {
            HashFunction f = HashFunctions.byName(name);
            hashOnly(f, packets, registrations); // warm-up
            double hashRate = hashOnly(f, packets, registrations);
            register(f, packets, registrations); // warm-up
            double registerRate = register(f, packets, registrations);
            clusterHash(f, packets, registrations / CLUSTER); // warm-up
            double clusterRate = clusterHash(f, packets, registrations / CLUSTER);
            System.out.printf("%-14s %,14.0f %,16.0f %,18.0f %,18.0f%n", name, hashRate, registerRate, clusterRate, clusterRate * CLUSTER);
        }
        System.out.println();
        System.out.println("register/s: one thread registers real packets (looped) into a BLOCK database of capacity "
                + (2 * HELD) + ", freeing down to " + HELD + " held every 4096 registrations.");
        System.out.println("clusterHash/s: clusterHash(from, " + CLUSTER + ") calls over a database of " + (2 * HELD)
                + " held packets; (packets/s) = calls * " + CLUSTER + ".");
        System.out.println();
        for (String name : List.of("md5", "crc32")) indexBytes(HashFunctions.byName(name), 1_000_000);
    }

    private static double hashOnly(HashFunction f, Packet[] packets, int n) {
        long t0 = System.nanoTime();
        long acc = 0;
        for (int i = 0; i < n; i++) acc += f.hashPacket(packets[i % packets.length], SNIPPET).lo();
        long t1 = System.nanoTime();
        sink = acc;
        return n * 1e9 / (t1 - t0);
    }

    private static double register(HashFunction f, Packet[] packets, int n) throws InterruptedException {
        PacketHashDatabase db = new PacketHashDatabase(f, SNIPPET, 2 * HELD, WhenFull.BLOCK);
        db.rebase(0);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            db.register(packets[i % packets.length]);
            if ((i & 4095) == 4095) {
                long end = db.end();
                if (end - db.start() > HELD) db.free(end - HELD);
            }
        }
        long t1 = System.nanoTime();
        if (db.stats().registered() != n) throw new IllegalStateException("lost packets: " + db.stats());
        return n * 1e9 / (t1 - t0);
    }

    private static double clusterHash(HashFunction f, Packet[] packets, int calls) throws InterruptedException {
        PacketHashDatabase db = new PacketHashDatabase(f, SNIPPET, 2 * HELD, WhenFull.BLOCK);
        for (int i = 0; i < 2 * HELD; i++) db.register(packets[i % packets.length]);
        int span = 2 * HELD - CLUSTER;
        long t0 = System.nanoTime();
        long acc = 0;
        for (int c = 0; c < calls; c++) {
            PacketHash h = db.clusterHash((long) (c * CLUSTER) % span, CLUSTER);
            acc += h.lo();
        }
        long t1 = System.nanoTime();
        sink = acc;
        return calls * 1e9 / (t1 - t0);
    }

    /**
     * Heap bytes of index per held packet: a full database of {@code capacity} packets that all share one byte[], so
     * the packet bytes do not count. The Packet records are created and measured first and stay reachable, so the
     * difference measured when the database is filled is the database alone (its arrays and ring).
     */
    private static void indexBytes(HashFunction f, int capacity) throws InterruptedException {
        byte[] shared = TestPcaps.ordinary().get(0).data();
        long base = usedHeap();
        Packet[] records = new Packet[capacity];
        for (int i = 0; i < capacity; i++) records[i] = new Packet(i, shared.length, shared);
        long withRecords = usedHeap();
        PacketHashDatabase db = new PacketHashDatabase(f, SNIPPET, capacity, WhenFull.BLOCK);
        for (Packet p : records) db.register(p);
        long withDatabase = usedHeap();
        if (db.stats().held() != capacity) throw new IllegalStateException("not full: " + db.stats());
        double perRecord = (withRecords - base) / (double) capacity;
        double perPacket = (withDatabase - withRecords) / (double) capacity;
        int slots = capacity + Math.max(16, capacity >>> 6);
        int ring = Integer.highestOneBit(2 * capacity - 1) << 1;
        double expected = (slots * (3 * 8.0 + referenceBytes()) + ring * 4.0) / capacity;
        System.out.printf("index bytes per held packet (%s, capacity %,d, full): %.1f measured, %.1f expected "
                        + "(%,d slots x (3 longs + 1 reference) + %,d-int ring)%n",
                f.name(), capacity, perPacket, expected, slots, ring);
        System.out.printf("  measured as used heap after System.gc() x5: (database filled) - (Packet records alone); "
                + "the records (and the Packet[] holding them) cost %.1f bytes each and are not counted%n", perRecord);
        Reference.reachabilityFence(records);
        Reference.reachabilityFence(db);
    }

    /** Bytes of an object reference: 4 with compressed oops (heaps under 32 GB, the default), else 8. */
    private static int referenceBytes() {
        String model = System.getProperty("sun.arch.data.model", "64");
        return Runtime.getRuntime().maxMemory() < (32L << 30) || !"64".equals(model) ? 4 : 8;
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
