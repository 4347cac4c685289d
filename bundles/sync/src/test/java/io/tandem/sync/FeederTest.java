package io.tandem.sync;

import io.tandem.api.Alert;
import io.tandem.api.AlertSink;
import io.tandem.api.Analyzer;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.StreamInfo;
import io.tandem.capture.LoopedCapture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The feeder over a real capture: order, bounded queue, drops counted, reclaim, swap and restart of the analyzer. */
class FeederTest {
    private static final PacketHash NO_HASH = new PacketHash(0, 0);
    private static LoopedCapture capture;

    @BeforeAll
    static void load() throws Exception {
        String data = System.getProperty("tandem.data");
        assertTrue(data != null && Files.isDirectory(Path.of(data, "pcaps")), "system property tandem.data must name ../shared/data");
        capture = LoopedCapture.load(Path.of(data, "pcaps", "ordinary"));
    }

    /**
     * Records what it is fed. {@code lag}: completed() stays that many packets behind what it was fed (an
     * external IDS that has not confirmed the last ones); {@code failAt}: analyze throws once at that position;
     * {@code gate}: when set, each packet waits for a permit (a slow analyzer).
     */
    private static class RecordingAnalyzer implements Analyzer {
        final List<Long> fed = new ArrayList<>();
        final List<Packet> packets = new ArrayList<>();
        final List<Long> openedAt = new ArrayList<>();
        final int lag;
        final long failAt;
        final Semaphore gate;
        boolean failed;

        RecordingAnalyzer(int lag, long failAt, Semaphore gate) {
            this.lag = lag;
            this.failAt = failAt;
            this.gate = gate;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public synchronized AnalyzerSession open(StreamInfo stream, AlertSink alerts) {
            openedAt.add(stream.firstPosition());
            List<Long> mine = new ArrayList<>();
            return new AnalyzerSession() {
                volatile long completed = stream.firstPosition();

                @Override
                public void analyze(long position, Packet packet) throws IOException, InterruptedException {
                    if (gate != null) gate.acquire();
                    synchronized (RecordingAnalyzer.this) {
                        if (position == failAt && !failed) {
                            failed = true;
                            throw new IOException("analyzer died at " + position);
                        }
                        fed.add(position);
                        packets.add(packet);
                    }
                    mine.add(position);
                    if (packet.data().length > 0 && (packet.data()[packet.data().length - 1] & 0xFF) == 0x42) {
                        alerts.raise(new Alert(position, packet.timestampMicros(), 1, 66, 1, "last byte 0x42", "", 3, "TCP", "", 0, "", 0, name()));
                    }
                    if (mine.size() > lag) completed = mine.get(mine.size() - 1 - lag) + 1;
                }

                @Override
                public long completed() {
                    return completed;
                }

                @Override
                public void finish() {
                    if (!mine.isEmpty()) completed = mine.get(mine.size() - 1) + 1;
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private static Feeder feeder(int capacity, AlertSink alerts, AtomicLong progress) {
        return new Feeder("r1", capture.linkType(), capacity, Long.MAX_VALUE, alerts, progress::set);
    }

    @Test
    void theAnalyzerSeesExactlyTheDeliveredStreamInOrderAndEveryAlertOfIt() throws Exception {
        ConcurrentLinkedQueue<Alert> alerts = new ConcurrentLinkedQueue<>();
        AtomicLong progress = new AtomicLong();
        Feeder f = feeder(1 << 16, alerts::add, progress);
        RecordingAnalyzer a = new RecordingAnalyzer(0, -1, null);
        f.setAnalyzer(a);
        f.start();
        int n = capture.size();
        long expectedAlerts = 0;
        for (int i = 0; i < n; i++) {
            Packet p = capture.get(i);
            if (p.data().length > 0 && (p.data()[p.data().length - 1] & 0xFF) == 0x42) expectedAlerts++;
            f.onDelivered(i, NO_HASH, p);
        }
        f.onEnd();
        assertTrue(f.awaitFinished(30, TimeUnit.SECONDS), "the feeder finished the stream");
        f.stop();
        assertEquals(n, a.fed.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i, a.fed.get(i));
            assertSame(capture.get(i), a.packets.get(i), "the analyzer gets the delivered packet itself, in order");
        }
        assertTrue(expectedAlerts > 0, "the capture has packets ending in 0x42");
        assertEquals(expectedAlerts, alerts.size());
        FeederStats s = f.stats();
        assertEquals(0, s.droppedFull());
        assertEquals(0, s.queued(), "every slot reclaimed");
        assertEquals(0, s.bytes());
        assertEquals(n, progress.get(), "the alert filter was told the whole stream is analyzed");
    }

    @Test
    void aSlowAnalyzerFillsTheQueueAndTheDropsAreCountedNeverSilent() throws Exception {
        Semaphore gate = new Semaphore(0);
        RecordingAnalyzer a = new RecordingAnalyzer(0, -1, gate);
        Feeder f = feeder(1000, x -> { }, new AtomicLong());
        f.setAnalyzer(a);
        f.start();
        int n = 5000;
        for (int i = 0; i < n; i++) {
            f.onDelivered(i, NO_HASH, capture.get(i)); // never blocks: the sync thread goes on
            assertTrue(f.stats().queued() <= 1000, "the queue stays within its capacity");
        }
        FeederStats full = f.stats();
        assertEquals(1000, full.queued());
        assertTrue(full.droppedFull() >= n - 1001, "drops counted: " + full.droppedFull());
        gate.release(Integer.MAX_VALUE / 2);
        f.onEnd();
        assertTrue(f.awaitFinished(30, TimeUnit.SECONDS));
        f.stop();
        FeederStats s = f.stats();
        assertEquals(n, s.offered());
        assertEquals(n, s.droppedFull() + a.fed.size(), "every packet was either analyzed or counted as dropped");
        for (int i = 1; i < a.fed.size(); i++) assertTrue(a.fed.get(i) > a.fed.get(i - 1), "aligned order kept across drops");
        assertEquals(0, s.queued());
    }

    @Test
    void memoryStaysFlatUnderSustainedTraffic() throws Exception {
        // an analyzer that confirms packets late (like an external IDS): slots are reclaimed behind its confirmations
        RecordingAnalyzer a = new RecordingAnalyzer(100, -1, null);
        Feeder f = feeder(4096, x -> { }, new AtomicLong());
        f.setAnalyzer(a);
        f.start();
        long n = 300_000;
        int maxQueued = 0;
        for (long i = 0; i < n; i++) {
            Packet p = capture.get(i % capture.size());
            while (f.stats().queued() >= 4000) Thread.onSpinWait(); // a paced sender: this test is about reclaim, not drops
            f.onDelivered(i, NO_HASH, p);
            if ((i & 1023) == 0) maxQueued = Math.max(maxQueued, f.stats().queued());
        }
        f.onEnd();
        assertTrue(f.awaitFinished(60, TimeUnit.SECONDS));
        f.stop();
        assertEquals(n, a.fed.size());
        assertEquals(0, f.stats().droppedFull());
        assertEquals(0, f.stats().queued(), "all slots reclaimed at the end");
        assertTrue(maxQueued <= 4096, "queue bounded: " + maxQueued);
    }

    @Test
    void swappingTheAnalyzerBuffersPacketsAndResumesWithoutLoss() throws Exception {
        RecordingAnalyzer first = new RecordingAnalyzer(0, -1, null);
        RecordingAnalyzer second = new RecordingAnalyzer(0, -1, null);
        Feeder f = feeder(1 << 15, x -> { }, new AtomicLong());
        f.setAnalyzer(first);
        f.start();
        for (int i = 0; i < 3000; i++) f.onDelivered(i, NO_HASH, capture.get(i));
        while (f.stats().completed() < 3000) Thread.sleep(5);
        f.setAnalyzer(null); // the analyzer bundle stops
        for (int i = 3000; i < 13000; i++) f.onDelivered(i, NO_HASH, capture.get(i));
        assertEquals(10000, f.stats().queued(), "packets wait in the queue while there is no analyzer");
        f.setAnalyzer(second); // ...and a new one starts
        for (int i = 13000; i < 15000; i++) f.onDelivered(i, NO_HASH, capture.get(i));
        f.onEnd();
        assertTrue(f.awaitFinished(30, TimeUnit.SECONDS));
        f.stop();
        List<Long> all = new ArrayList<>(first.fed);
        all.addAll(second.fed);
        assertEquals(15000, all.size());
        for (int i = 0; i < 15000; i++) assertEquals(i, all.get(i));
        assertEquals(List.of(3000L), second.openedAt, "the new analyzer starts at the first packet the old one had not completed");
        assertEquals(0, f.stats().droppedFull());
    }

    @Test
    void anAnalyzerThatDiesIsReopenedAndFedAgainFromItsLastCompletedPacket() throws Exception {
        RecordingAnalyzer a = new RecordingAnalyzer(50, 2000, null);
        Feeder f = feeder(1 << 15, x -> { }, new AtomicLong());
        f.setAnalyzer(a);
        f.start();
        for (int i = 0; i < 5000; i++) f.onDelivered(i, NO_HASH, capture.get(i));
        f.onEnd();
        assertTrue(f.awaitFinished(30, TimeUnit.SECONDS));
        f.stop();
        assertEquals(1, f.stats().restarts());
        assertEquals(2, a.openedAt.size());
        long reopenedAt = a.openedAt.get(1);
        assertEquals(2000 - 50, reopenedAt, "reopened at the first packet not confirmed before the death");
        // each packet at least once, in order within each session; the unconfirmed ones twice
        assertEquals(5000 + (2000 - reopenedAt), a.fed.size());
        assertEquals(1999L, a.fed.get((int) 1999));
        assertEquals(reopenedAt, a.fed.get(2000));
        assertEquals(4999L, a.fed.get(a.fed.size() - 1));
    }

    @Test
    void aPacketTheAnalyzerAlwaysFailsOnIsSkippedAfterThreeTriesAndCounted() throws Exception {
        List<Long> fed = new ArrayList<>();
        Analyzer poisoned = new Analyzer() {
            @Override
            public String name() {
                return "poisoned";
            }

            @Override
            public AnalyzerSession open(StreamInfo stream, AlertSink alerts) {
                return new AnalyzerSession() {
                    long completed = stream.firstPosition();

                    @Override
                    public void analyze(long position, Packet packet) {
                        if (position == 1234) throw new StackOverflowError("a regex recursed too deep");
                        synchronized (fed) {
                            fed.add(position);
                        }
                        completed = position + 1;
                    }

                    @Override
                    public long completed() {
                        return completed;
                    }

                    @Override
                    public void finish() {
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
        Feeder f = feeder(1 << 14, x -> { }, new AtomicLong());
        f.setAnalyzer(poisoned);
        f.start();
        for (int i = 0; i < 3000; i++) f.onDelivered(i, NO_HASH, capture.get(i));
        f.onEnd();
        assertTrue(f.awaitFinished(30, TimeUnit.SECONDS), "the stream finished despite the poison packet: " + f.stats());
        f.stop();
        FeederStats s = f.stats();
        assertEquals(1, s.skipped());
        assertEquals(Feeder.POISON_FAILURES, s.restarts());
        assertEquals(0, s.queued(), "the skipped packet's slot was reclaimed too");
        assertEquals(2999, fed.size());
        assertTrue(!fed.contains(1234L));
        assertEquals(3000, s.completed());
    }

    @Test
    void packetsWaitWhileNoAnalyzerIsThereAndTheEndWaitsForOne() throws Exception {
        Feeder f = feeder(100, x -> { }, new AtomicLong());
        f.start();
        for (int i = 0; i < 150; i++) f.onDelivered(i, NO_HASH, capture.get(i));
        f.onEnd();
        assertEquals(100, f.stats().queued());
        assertEquals(50, f.stats().droppedFull());
        assertTrue(!f.awaitFinished(300, TimeUnit.MILLISECONDS), "not finished: 100 packets were never analyzed");
        CountDownLatch opened = new CountDownLatch(1);
        RecordingAnalyzer a = new RecordingAnalyzer(0, -1, null) {
            @Override
            public synchronized AnalyzerSession open(StreamInfo stream, AlertSink alerts) {
                opened.countDown();
                return super.open(stream, alerts);
            }
        };
        f.setAnalyzer(a);
        assertTrue(opened.await(5, TimeUnit.SECONDS));
        assertTrue(f.awaitFinished(10, TimeUnit.SECONDS));
        f.stop();
        assertEquals(100, a.fed.size());
        assertEquals(99L, a.fed.get(99));
    }
}
