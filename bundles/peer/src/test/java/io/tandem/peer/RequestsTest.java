package io.tandem.peer;

import io.tandem.api.BootAck;
import io.tandem.api.BootHash;
import io.tandem.api.BootStart;
import io.tandem.api.ClusterHashNotice;
import io.tandem.api.ClusterHashes;
import io.tandem.api.HashList;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static io.tandem.peer.Cluster.WAIT_MS;
import static org.junit.jupiter.api.Assertions.*;

/** The requests and pushes of thesis Table 1 between two (or three) live managers. */
class RequestsTest {
    private final Cluster cluster = new Cluster();
    private MinaConnectionManager r1;
    private MinaConnectionManager r2;
    private RecordingHandler h1;
    private RecordingHandler h2;

    @BeforeEach
    void mesh() throws Exception {
        r1 = cluster.leader("r1");
        r2 = cluster.join("r2", r1);
        assertTrue(r1.awaitPeers(1, WAIT_MS));
        assertTrue(r2.awaitPeers(1, WAIT_MS));
        h1 = cluster.handler("r1");
        h2 = cluster.handler("r2");
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void clusterHashPushArrivesWithEveryField() throws Exception {
        ClusterHashNotice notice = new ClusterHashNotice(123_456_789_012L, 7, 99_999, 56, true, 4242,
                new PacketHash(0x0123456789abcdefL, 0xfedcba9876543210L));
        r2.sendClusterHash("r1", notice);
        RecordingHandler.Received<ClusterHashNotice> got = h1.clusterHashes.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        assertNotNull(got);
        assertEquals("r2", got.peerId());
        assertEquals(notice, got.value());

        // The other direction, with the other flag value and a 4-byte hash (hi == 0).
        ClusterHashNotice other = new ClusterHashNotice(0, 0, -1, 3, false, Long.MAX_VALUE, new PacketHash(0, 0xcafebabeL));
        r1.sendClusterHash("r2", other);
        RecordingHandler.Received<ClusterHashNotice> back = h2.clusterHashes.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals("r1", back.peerId());
        assertEquals(other, back.value());
    }

    @Test
    void pushToAnUnknownPeerIsDroppedWithoutFuss() {
        assertDoesNotThrow(() -> r1.sendClusterHash("nobody", new ClusterHashNotice(1, 0, 0, 1, false, 0, new PacketHash(1, 2))));
    }

    @Test
    void clusterHashesAreAnsweredWhenTheHandlerCompletesLater() throws Exception {
        AtomicReference<CompletableFuture<ClusterHashes>> pending = new AtomicReference<>();
        h1.clusterHashesAnswer = (peer, round, epoch) -> {
            CompletableFuture<ClusterHashes> f = new CompletableFuture<>();
            pending.set(f);
            return f;
        };
        CompletableFuture<ClusterHashes> answer = r2.getClusterHashes("r1", 17, 3);
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (pending.get() == null && System.currentTimeMillis() < deadline) Thread.sleep(10);
        assertNotNull(pending.get(), "the request reached r1's handler");
        assertFalse(answer.isDone(), "no answer before the handler completes");

        HashList hashes = new HashList(new long[] {1, -2, 3}, new long[] {4, 5, Long.MIN_VALUE}, new long[] {100, 101, 205});
        // Completed from another thread than the I/O one, as the sync engine will.
        CompletableFuture.runAsync(() -> pending.get().complete(new ClusterHashes(17, 3, 1000, true, hashes)));
        ClusterHashes got = answer.get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals(17, got.round());
        assertEquals(3, got.epoch());
        assertEquals(1000, got.alignedEnd());
        assertTrue(got.complete());
        assertArrayEquals(hashes.hi(), got.hashes().hi());
        assertArrayEquals(hashes.lo(), got.hashes().lo());
        assertArrayEquals(hashes.original(), got.hashes().original());
    }

    @Test
    void getPacketsAnswersAThousandRealPacketsInOneBatch() throws Exception {
        List<Packet> packets = Pcaps.sample(1000);
        h1.packetsAnswer = (peer, originals) -> {
            Packet[] answer = new Packet[originals.length];
            for (int i = 0; i < originals.length; i++) {
                long o = originals[i];
                answer[i] = o >= 0 && o < packets.size() ? packets.get((int) o) : null;
            }
            return answer;
        };
        // Every held packet, in a shuffled order, with originals the peer does not hold mixed in.
        List<Long> order = new ArrayList<>();
        for (long i = 0; i < 1000; i++) order.add(i);
        for (long i = 0; i < 20; i++) order.add(5000 + i);
        java.util.Collections.shuffle(order, new Random(7));
        long[] originals = order.stream().mapToLong(Long::longValue).toArray();

        Packet[] got = r2.getPackets("r1", originals).get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals(originals.length, got.length);
        for (int i = 0; i < originals.length; i++) {
            if (originals[i] >= 1000) {
                assertNull(got[i], "original " + originals[i] + " is not held");
            } else {
                assertNotNull(got[i], "original " + originals[i]);
                assertTrue(Pcaps.same(packets.get((int) originals[i]), got[i]), "packet " + originals[i] + " arrives intact");
            }
        }
        assertEquals(1, h1.getPacketsCalls.get(), "one request for the whole batch");
    }

    @Test
    void getPacketsLargerThanAFrameArriveInSeveralAnswers() throws Exception {
        // r3 accepts frames of 2 MiB only; 600 jumbo packets (5.4 MB) cannot come back in one.
        MinaConnectionManager r3 = cluster.join("r3", r1, b -> b.maxFrameBytes(PeerSettings.MIN_FRAME_BYTES));
        assertTrue(r3.awaitPeers(2, WAIT_MS));
        Random random = new Random(3);
        List<Packet> packets = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            byte[] b = new byte[9000];
            random.nextBytes(b);
            packets.add(new Packet(i, 9000, b));
        }
        h1.packetsAnswer = (peer, originals) -> {
            Packet[] answer = new Packet[originals.length];
            for (int i = 0; i < originals.length; i++) answer[i] = packets.get((int) originals[i]);
            return answer;
        };
        long[] originals = new long[600];
        for (int i = 0; i < 600; i++) originals[i] = i;
        Packet[] got = r3.getPackets("r1", originals).get(WAIT_MS, TimeUnit.MILLISECONDS);
        for (int i = 0; i < 600; i++) assertTrue(Pcaps.same(packets.get(i), got[i]), "packet " + i);
        assertTrue(h1.getPacketsCalls.get() >= 3, "split into " + h1.getPacketsCalls.get() + " answers");
    }

    @Test
    void getPacketsOfNothingIsEmpty() throws Exception {
        assertEquals(0, r2.getPackets("r1", new long[0]).get(WAIT_MS, TimeUnit.MILLISECONDS).length);
    }

    @Test
    void bootHashAckStartAndFatalRoundTrip() throws Exception {
        Random random = new Random(11);
        PacketHash[] hashes = new PacketHash[56];
        for (int i = 0; i < hashes.length; i++) hashes[i] = new PacketHash(random.nextLong(), random.nextLong());
        BootHash boot = new BootHash(2, List.of("r1", "r2"), hashes);
        AtomicReference<BootHash> seen = new AtomicReference<>();
        long[] positions = new long[56];
        for (int i = 0; i < positions.length; i++) positions[i] = i % 5 == 0 ? -1 : 1000 + i;
        h2.bootHashAnswer = (peer, b) -> {
            seen.set(b);
            return CompletableFuture.completedFuture(new BootAck(b.attempt(), positions));
        };

        BootAck ack = r1.sendBootHash("r2", boot).get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals(2, ack.attempt());
        assertArrayEquals(positions, ack.positions());
        assertEquals(2, seen.get().attempt());
        assertEquals(List.of("r1", "r2"), seen.get().members());
        assertArrayEquals(hashes, seen.get().hashes());

        r1.sendBootStart("r2", new BootStart(2, 5, List.of("r1", "r2"), 0, false));
        RecordingHandler.Received<BootStart> start = h2.bootStarts.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals("r1", start.peerId());
        assertEquals(new BootStart(2, 5, List.of("r1", "r2"), 0, false), start.value());

        r1.sendBootHashFatal("r2", "no packet in common after 3 attempts");
        RecordingHandler.Received<String> fatal = h2.fatals.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals("r1", fatal.peerId());
        assertEquals("no packet in common after 3 attempts", fatal.value());
    }

    @Test
    void aFailedHandlerFutureBecomesAnErrorAnswer() throws Exception {
        h1.clusterHashesAnswer = (peer, round, epoch) -> CompletableFuture.failedFuture(new IllegalStateException("round 9 is gone"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> r2.getClusterHashes("r1", 9, 0).get(WAIT_MS, TimeUnit.MILLISECONDS));
        assertInstanceOf(IOException.class, e.getCause());
        assertEquals("r1 could not answer getclhashes: round 9 is gone", e.getCause().getMessage());

        h1.packetsAnswer = (peer, originals) -> {
            throw new IllegalArgumentException("database closed");
        };
        e = assertThrows(ExecutionException.class, () -> r2.getPackets("r1", new long[] {1}).get(WAIT_MS, TimeUnit.MILLISECONDS));
        assertTrue(e.getCause().getMessage().contains("database closed"), e.getCause().getMessage());

        // The channel survives error answers.
        h1.clusterHashesAnswer = (peer, round, epoch) -> CompletableFuture.completedFuture(new ClusterHashes(round, epoch, 0, false, HashList.EMPTY));
        assertEquals(10, r2.getClusterHashes("r1", 10, 0).get(WAIT_MS, TimeUnit.MILLISECONDS).round());
    }

    @Test
    void aRequestWithoutAnswerTimesOut() throws Exception {
        MinaConnectionManager r3 = cluster.join("r3", r1, b -> b.requestTimeoutMillis(1500));
        assertTrue(r3.awaitPeers(2, WAIT_MS));
        h1.clusterHashesAnswer = (peer, round, epoch) -> new CompletableFuture<>();
        long t0 = System.nanoTime();
        ExecutionException e = assertThrows(ExecutionException.class, () -> r3.getClusterHashes("r1", 1, 0).get(WAIT_MS, TimeUnit.MILLISECONDS));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertEquals("getclhashes to r1 timed out after 1500 ms", e.getCause().getMessage());
        assertTrue(elapsed >= 1400, "timed out after " + elapsed + " ms");
        assertTrue(r3.peers().stream().allMatch(p -> p.connected()), "a timeout does not close the channel");
    }

    @Test
    void pendingRequestsFailWhenThePeerGoesAway() throws Exception {
        h1.clusterHashesAnswer = (peer, round, epoch) -> new CompletableFuture<>();
        CompletableFuture<ClusterHashes> f = r2.getClusterHashes("r1", 1, 0);
        r1.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT_MS, TimeUnit.MILLISECONDS));
        assertInstanceOf(IOException.class, e.getCause());
        assertTrue(e.getCause().getMessage().startsWith("channel to r1 closed"), e.getCause().getMessage());
        RecordingHandler.Received<String> lost = h2.lost.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals("r1", lost.peerId());
    }

    @Test
    void aRequestToAnUnknownPeerFails() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> r2.getClusterHashes("nobody", 1, 0).get(WAIT_MS, TimeUnit.MILLISECONDS));
        assertEquals("no channel to nobody", e.getCause().getMessage());
    }
}
