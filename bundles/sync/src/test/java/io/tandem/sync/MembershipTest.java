package io.tandem.sync;

import io.tandem.api.ClusterParameters;
import io.tandem.api.HashDatabase.WhenFull;
import io.tandem.api.HashFunction;
import io.tandem.api.PacketHash;
import io.tandem.api.PacketSource;
import io.tandem.capture.LoopedCapture;
import io.tandem.hashdb.HashFunctions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Beyond the thesis: a replica that dies (engine stopped, sockets closed, as in a crash or a bundle swap) does not
 * stop the others. The survivors agree a new view, realign from where the slowest of them was, and go on
 * delivering the same stream; with a lossless survivor that stream is still the whole source.
 */
class MembershipTest {
    private static final ClusterParameters PARAMS = ClusterParameters.DEFAULTS;
    private static final long PACKETS = 120_000;
    /**
     * Less than one loop of the looped capture (21,768 packets): a follower captures before the boot, and holding
     * two copies of the boot packets it would boot on the newer one (live traffic never repeats a loop).
     */
    private static final int CAPACITY = 20_000;
    /**
     * The queue of the replica that comes back behind the cluster: a small share of a loop, so that it holds none of
     * the boot packets (with most of a loop, repeats of them in it form a run).
     */
    private static final int BEHIND_CAPACITY = 5_000;
    private static LoopedCapture source;
    private static HashFunction md5;

    @BeforeAll
    static void load() throws Exception {
        String data = System.getProperty("tandem.data");
        assertTrue(data != null && Files.isDirectory(Path.of(data, "pcaps")), "system property tandem.data must name ../shared/data");
        source = LoopedCapture.load(Path.of(data, "pcaps", "ordinary"));
        md5 = HashFunctions.byName(PARAMS.hashName());
    }

    @Test
    void aLostFollowerLeavesTheOthersDeliveringTheWholeSource() throws Exception {
        runAndKill(new String[]{"0", "5000", "5000"}, 2);
    }

    @Test
    void aLostLeaderLeavesTheOthersDeliveringTheWholeSource() throws Exception {
        runAndKill(new String[]{"2000", "0", "2000"}, 0);
    }

    /**
     * A follower dies and a new replica with its id comes back (as after a bundle swap): the coordinator boots it
     * into the running stream, and from there it delivers exactly what the others deliver. The coordinator loses
     * nothing here (so the stream is the source), or as much as the others (then the joiner holds packets from
     * before its join that every member lost: the members' delivered stream stays as it was).
     */
    @ParameterizedTest(name = "coordinator drop {0}/100000")
    @ValueSource(strings = {"0", "1000", "5000", "20000"})
    void aReplicaThatComesBackJoinsTheRunningStream(String coordinatorDrop) throws Exception {
        comeBack(coordinatorDrop, false);
    }

    /**
     * A replaying replica comes back with a blocking queue that filled with the cluster's past before it was
     * admitted (a machine stall, a slow login). If its queue holds none of the coordinator's boot packets it must
     * free it and capture the present, or it would never join.
     */
    @Test
    void aReplicaWhoseBlockingQueueHoldsOnlyTheClusterPastFreesItAndJoins() throws Exception {
        comeBack("1000", true);
    }

    private void comeBack(String coordinatorDrop, boolean behind) throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        List<TestReplica> replicas = new ArrayList<>();
        try {
            Hub hub = new Hub();
            TestReplica r1 = replica("r1", true, 0, secret, coordinatorDrop, 2, hub.first(source.cursor(PACKETS)), CAPACITY, WhenFull.BLOCK);
            r1.peers.start();
            int port = r1.peers.listenAddress().getPort();
            replicas.add(r1);
            replicas.add(replica("r2", false, port, secret, "5000", 2));
            replicas.add(replica("r3", false, port, secret, "5000", 2));
            for (TestReplica r : replicas) {
                if (!r.leader) r.peers.start();
                r.engine.start();
            }
            TestReplica old = replicas.get(2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (old.delivered() < 25_000) {
                assertTrue(System.nanoTime() < deadline, "the cluster did not deliver 25,000 packets: " + old.engine.stats());
                Thread.sleep(5);
            }
            hub.pause();
            old.kill();
            // On a hub a replica that comes back sees today's traffic, not the capture's history: its source starts
            // near the cluster's aligned end and keeps pace with the others'. The cluster does not wait for it: until
            // it is admitted it keeps the newest packets, several queues' worth (the members align up to a queue
            // behind what they capture). The traffic goes on once it has logged in.
            long present = sourceIndexOf(replicas.get(0).log.get(0)) + replicas.get(0).engine.stats().alignedEnd() - 500;
            TestReplica back;
            if (behind) {
                // Behind: its queue holds packets up to just before the coordinator's last m aligned ones, and none of
                // the copies a loop earlier (it would boot on those, which is right, but then it would still hold a
                // loop's worth when the members' capture ends).
                long aligned = -1;
                while (r1.engine.stats().view() < 1 || aligned != r1.engine.stats().alignedEnd()) {
                    aligned = r1.engine.stats().alignedEnd();
                    Thread.sleep(300);
                }
                long start = sourceIndexOf(r1.log.get(0)) + aligned - SyncEngine.bootSize(PARAMS) - BEHIND_CAPACITY - 500;
                back = replica("r3", false, port, secret, "5000", 2, hub.late(source.cursor(PACKETS), start), BEHIND_CAPACITY, WhenFull.BLOCK);
            } else {
                back = replica("r3", false, port, secret, "5000", 2, hub.late(source.cursor(PACKETS), present), 4 * CAPACITY, WhenFull.JOIN_THEN_BLOCK);
            }
            replicas.add(back);
            back.engine.start();
            back.peers.start();
            while (!r1.peers.peers().stream().anyMatch(p -> p.id().equals("r3") && p.connected())) {
                assertTrue(System.nanoTime() < deadline, "r3 did not log in to r1");
                Thread.sleep(5);
            }
            // (behind, it is admitted only after its first answers: the cluster must not run to the capture's end meanwhile)
            while (behind && !back.engine.booted()) {
                assertTrue(System.nanoTime() < deadline, "r3 was not admitted: " + back.engine.stats());
                Thread.sleep(5);
            }
            hub.resume();
            for (TestReplica r : List.of(replicas.get(0), replicas.get(1), back)) {
                assertTrue(r.engine.awaitEnd(120, TimeUnit.SECONDS), r.id + " did not finish: " + r.engine.stats());
                assertEquals(null, r.engine.failure(), r.id);
            }
            List<PacketHash> first = replicas.get(0).log;
            assertEquals(first, replicas.get(1).log, "r2 delivers what r1 delivers");
            if (coordinatorDrop.equals("0")) {
                sameStream(expectedFrom(first.get(0)), first, "the survivors deliver the source exactly");
            } else {
                // every member lossy: only what all of them lost is missing (well under 1 % at these rates)
                long expected = expectedFrom(first.get(0)).size();
                assertTrue(first.size() > expected * 0.99 && first.size() <= expected + 50,
                        "the survivors deliver the source less the set loss: " + first.size() + " of " + expected);
            }
            List<PacketHash> joined = back.log;
            assertTrue(joined.size() > 10_000, "the replica that came back delivers the rest of the stream: " + joined.size());
            assertEquals(first.subList(first.size() - joined.size(), first.size()), joined, "from where it joined, the same stream");
            assertTrue(back.engine.stats().view() >= 2, "it joined by a view change: " + back.engine.stats());
            // it reads more than its queue holds and it delivers only if it freed its past
            if (behind) assertTrue(back.capture.seen() > BEHIND_CAPACITY + joined.size(), "it freed the past it held: read " + back.capture.seen());
        } finally {
            for (TestReplica r : replicas) r.kill();
        }
    }

    /** Equal lists, or a failure naming the sizes and the first difference (the lists are too long to print). */
    private static void sameStream(List<PacketHash> expected, List<PacketHash> actual, String what) {
        int n = Math.min(expected.size(), actual.size());
        int i = 0;
        while (i < n && expected.get(i).equals(actual.get(i))) i++;
        assertTrue(i == n && expected.size() == actual.size(), what + ": " + expected.size() + " expected, " + actual.size()
                + " delivered, first difference at " + i);
    }

    /** The source's hashes from the packet with hash {@code start} to the end. */
    private static List<PacketHash> expectedFrom(PacketHash start) {
        List<PacketHash> expected = new ArrayList<>();
        for (long i = sourceIndexOf(start); i < PACKETS; i++) expected.add(md5.hashPacket(source.get(i), PARAMS.snippet()));
        return expected;
    }

    /** Index of the first source packet with this hash (the cluster's boot packet). */
    private static long sourceIndexOf(PacketHash h) {
        for (long i = 0; i < PACKETS; i++) if (md5.hashPacket(source.get(i), PARAMS.snippet()).equals(h)) return i;
        throw new AssertionError("no source packet has hash " + h);
    }

    /** Three replicas with these random drops; replica {@code victim} dies after delivering 40,000 packets. */
    private void runAndKill(String[] drops, int victim) throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        List<TestReplica> replicas = new ArrayList<>();
        int leaderPort = 0;
        try {
            for (int i = 0; i < drops.length; i++) {
                TestReplica r = replica("r" + (i + 1), i == 0, leaderPort, secret, drops[i], drops.length - 1);
                if (i == 0) {
                    r.peers.start();
                    leaderPort = r.peers.listenAddress().getPort();
                }
                replicas.add(r);
            }
            for (TestReplica r : replicas) {
                if (!r.leader) r.peers.start();
                r.engine.start();
            }
            TestReplica dying = replicas.get(victim);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (dying.delivered() < 40_000) {
                assertTrue(System.nanoTime() < deadline, "the cluster did not deliver 40,000 packets: " + dying.engine.stats());
                assertEquals(null, dying.engine.failure());
                Thread.sleep(5);
            }
            dying.kill();
            int killedAt = dying.delivered();
            for (TestReplica r : replicas) {
                if (r == dying) continue;
                assertTrue(r.engine.awaitEnd(120, TimeUnit.SECONDS), r.id + " did not finish: " + r.engine.stats());
                assertEquals(null, r.engine.failure(), r.id);
                assertTrue(r.engine.stats().view() >= 1, r.id + " changed its view");
            }
            List<TestReplica> survivors = replicas.stream().filter(r -> r != dying).toList();
            List<PacketHash> first = survivors.get(0).log;
            for (TestReplica r : survivors) assertEquals(first, r.log, r.id + " delivers what " + survivors.get(0).id + " delivers");
            assertEquals(first.subList(0, killedAt), dying.log.subList(0, killedAt), "the dead replica had delivered a prefix of it");
            // one survivor lost nothing: the stream is the source, from the boot packet to its end, once each
            List<PacketHash> expected = expectedFrom(first.get(0));
            assertEquals(expected.size(), first.size(), "delivered count");
            sameStream(expected, first, "the survivors deliver the source exactly");
        } finally {
            for (TestReplica r : replicas) r.kill();
        }
    }

    /** A replica of this test: its source through its own random drop. */
    private static TestReplica replica(String id, boolean leader, int leaderPort, byte[] secret, String drop, int followers,
                                       PacketSource source, int capacity, WhenFull whenFull) {
        return new TestReplica(id, leader, leaderPort, secret, followers, source, drop, md5, PARAMS, capacity, whenFull, b -> b);
    }

    /** A replica reading the looped capture from its start, with a blocking queue. */
    private static TestReplica replica(String id, boolean leader, int leaderPort, byte[] secret, String drop, int followers) {
        return replica(id, leader, leaderPort, secret, drop, followers, source.cursor(PACKETS), CAPACITY, WhenFull.BLOCK);
    }
}
