package io.tandem.capture;

import io.tandem.api.Packet;
import io.tandem.api.PacketSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopedCaptureTest {
    static final long LOOPED = 200_000;

    @Test
    void loopingKeepsBytesAndMakesTimeMoveOn() throws Exception {
        var file = TestData.pcap("ordinary/http_bro.org.pcap");
        LoopedCapture lc = LoopedCapture.load(file);
        List<TestData.Rec> recs = TestData.readPlain(file);
        int n = lc.size();
        assertEquals(recs.size(), n);
        assertEquals(1, lc.linkType());
        long span = recs.get(n - 1).tsMicros() - recs.get(0).tsMicros();
        assertEquals(span + 1000, lc.loopPeriodMicros(), "capture in time order: span = last - first");
        assertEquals(recs.get(0).tsMicros(), lc.firstTimestampMicros());

        PacketSource c = lc.cursor(LOOPED);
        long prev = Long.MIN_VALUE;
        for (long i = 0; i < LOOPED; i++) {
            Packet p = c.next();
            int j = (int) (i % n);
            Packet original = lc.get(j);
            assertSame(original.data(), p.data(), "shared bytes at " + i);
            if (i < n) assertArrayEquals(recs.get(j).data(), p.data());
            assertEquals(original.wireLength(), p.wireLength());
            assertEquals(recs.get(j).tsMicros() + (i / n) * (span + 1000), p.timestampMicros(), "timestamp of " + i);
            if (j == 0 && i > 0) {
                assertEquals(prev + 1000, p.timestampMicros(), "1 ms gap between loops at " + i);
            } else {
                assertTrue(p.timestampMicros() >= prev, "time goes on at " + i);
            }
            prev = p.timestampMicros();
            assertEquals(p, lc.get(i));
        }
        assertNull(c.next());
        assertNull(c.next());
        assertTrue(LOOPED / n > 200, "looped many times");
    }

    @Test
    void twoCursorsReadTheSameSequenceConcurrently() throws Exception {
        LoopedCapture lc = LoopedCapture.load(TestData.pcap("attacks/ppa2e_synscan.pcap"));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Packet>>> runs = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                PacketSource cursor = lc.cursor(LOOPED);
                runs.add(pool.submit(() -> {
                    go.await();
                    List<Packet> got = new ArrayList<>();
                    for (Packet p = cursor.next(); p != null; p = cursor.next()) got.add(p);
                    return got;
                }));
            }
            go.countDown();
            List<Packet> a = runs.get(0).get(60, TimeUnit.SECONDS);
            List<Packet> b = runs.get(1).get(60, TimeUnit.SECONDS);
            assertEquals(LOOPED, a.size());
            // Packet equality compares the byte[] by identity: same timestamps, lengths and the very same arrays
            assertEquals(a, b);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void loopsDoNotOverlapWhenTheCapturesClockStepsBack() throws Exception {
        // ppa1e_ftp-crack.pcap has timestamps that go backwards
        LoopedCapture lc = LoopedCapture.load(TestData.pcap("attacks/ppa1e_ftp-crack.pcap"));
        int n = lc.size();
        long maxLoop0 = Long.MIN_VALUE;
        long minLoop1 = Long.MAX_VALUE;
        boolean stepsBack = false;
        for (int i = 0; i < n; i++) {
            maxLoop0 = Math.max(maxLoop0, lc.get(i).timestampMicros());
            minLoop1 = Math.min(minLoop1, lc.get(n + i).timestampMicros());
            if (i > 0 && lc.get(i).timestampMicros() < lc.get(i - 1).timestampMicros()) stepsBack = true;
        }
        assertTrue(stepsBack, "the capture was expected to step back in time");
        assertEquals(maxLoop0 + 1000, minLoop1);
    }

    @Test
    void folderLoadsAndEmptyCaptureHasNothing() throws Exception {
        LoopedCapture empty = new LoopedCapture(List.of(), 1, "nothing");
        assertEquals(0, empty.size());
        assertNull(empty.cursor(10).next());
        assertThrows(IndexOutOfBoundsException.class, () -> empty.get(0));

        LoopedCapture lc = LoopedCapture.load(TestData.dataDir().resolve("suricata-verify/http-async"));
        assertEquals(0, lc.linkType());
        assertEquals(16, lc.size());
        assertThrows(IndexOutOfBoundsException.class, () -> lc.get(-1));
        assertThrows(IllegalArgumentException.class, () -> lc.cursor(-1));
        PacketSource c = lc.cursor(3);
        assertTrue(c.describe().contains("http-async"), c.describe());
        c.next();
        c.close();
        assertNull(c.next(), "closed cursor");
    }
}
