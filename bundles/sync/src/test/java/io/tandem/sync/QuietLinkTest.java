package io.tandem.sync;

import io.tandem.api.ClusterParameters;
import io.tandem.api.HashDatabase;
import io.tandem.api.HashFunction;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.PacketSource;
import io.tandem.api.RoundOutcome;
import io.tandem.api.SyncListener;
import io.tandem.capture.CaptureLoop;
import io.tandem.capture.LoopedCapture;
import io.tandem.capture.RandomDrop;
import io.tandem.hashdb.HashFunctions;
import io.tandem.hashdb.PacketHashDatabase;
import io.tandem.peer.MinaConnectionManager;
import io.tandem.peer.PeerSettings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sensor installed at night: the link is silent when the cluster starts, and again for a while later. Both
 * silences outlast the peers' request timeout several times over; the cluster boots when the traffic comes and
 * goes on after the second silence, with a lossy follower recovering everything from the lossless leader.
 */
class QuietLinkTest {
    private static final ClusterParameters PARAMS = ClusterParameters.DEFAULTS;
    private static final long PACKETS = 30_000;
    private static final long SILENCE_MILLIS = 4_000;
    private static final long REQUEST_TIMEOUT_MILLIS = 1_000;

    @Test
    void aClusterOnAQuietLinkBootsWhenTrafficComesAndSurvivesASilence() throws Exception {
        String data = System.getProperty("tandem.data");
        assertTrue(data != null && Files.isDirectory(Path.of(data, "pcaps")), "system property tandem.data must name ../shared/data");
        LoopedCapture source = LoopedCapture.load(Path.of(data, "pcaps", "ordinary"));
        HashFunction md5 = HashFunctions.byName(PARAMS.hashName());
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        long opened = System.nanoTime();
        List<MinaConnectionManager> managers = new ArrayList<>();
        List<SyncEngine> engines = new ArrayList<>();
        List<List<PacketHash>> logs = new ArrayList<>();
        try {
            int leaderPort = 0;
            for (int i = 0; i < 2; i++) {
                boolean leader = i == 0;
                HashDatabase db = new PacketHashDatabase(md5, PARAMS.snippet(), 20_000, HashDatabase.WhenFull.BLOCK);
                PacketSource quiet = new Silences(source.cursor(PACKETS), opened);
                CaptureLoop capture = new CaptureLoop(quiet, RandomDrop.parse(leader ? "0" : "3000", 7 + i), db);
                PeerSettings.Builder ps = PeerSettings.builder("r" + (i + 1), secret).listen("127.0.0.1", 0).parameters(PARAMS)
                        .heartbeatMillis(100).peerTimeoutMillis(1_000).requestTimeoutMillis(REQUEST_TIMEOUT_MILLIS);
                if (!leader) ps.leader("127.0.0.1", leaderPort);
                MinaConnectionManager cm = new MinaConnectionManager(ps.build());
                List<PacketHash> log = Collections.synchronizedList(new ArrayList<>());
                SyncEngine engine = new SyncEngine(leader ? SyncSettings.leader(1, 60_000) : SyncSettings.follower(), db, cm,
                        capture::captureSome, new SyncListener() {
                            @Override
                            public void onDelivered(long position, PacketHash hash, Packet packet) {
                                log.add(hash);
                            }

                            @Override
                            public void onRound(long round, RoundOutcome outcome) {
                            }

                            @Override
                            public void onEnd() {
                            }
                        });
                cm.setHandler(engine);
                cm.start();
                if (leader) leaderPort = cm.listenAddress().getPort();
                managers.add(cm);
                engines.add(engine);
                logs.add(log);
            }
            for (SyncEngine e : engines) e.start();
            for (SyncEngine e : engines) {
                assertTrue(e.awaitEnd(120, TimeUnit.SECONDS), "did not finish: " + e.stats());
                assertNull(e.failure());
            }
            assertTrue(System.nanoTime() - opened > TimeUnit.MILLISECONDS.toNanos(2 * SILENCE_MILLIS), "both silences happened");
            assertEquals(logs.get(0), logs.get(1), "both deliver the same stream");
            List<PacketHash> expected = new ArrayList<>();
            for (long i = 0; i < PACKETS; i++) expected.add(md5.hashPacket(source.get(i), PARAMS.snippet()));
            assertEquals(expected, logs.get(0), "the whole source, booted on its first packet after the first silence");
        } finally {
            for (SyncEngine e : engines) e.stop();
            for (MinaConnectionManager m : managers) m.close();
        }
    }

    /** A hub tap that carries nothing for the first seconds, and nothing again for a while half-way through. */
    private static final class Silences implements PacketSource {
        private final PacketSource wire;
        private final long opened;
        private long read;

        Silences(PacketSource wire, long opened) {
            this.wire = wire;
            this.opened = opened;
        }

        @Override
        public Packet next() throws IOException, InterruptedException {
            Packet[] one = new Packet[1];
            return nextBatch(one, 1) == 0 ? null : one[0];
        }

        @Override
        public int nextBatch(Packet[] into, int max) throws IOException, InterruptedException {
            long at = System.nanoTime() - opened;
            if (at < TimeUnit.MILLISECONDS.toNanos(SILENCE_MILLIS)) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(TimeUnit.MILLISECONDS.toNanos(SILENCE_MILLIS) - at) + 1);
            }
            long half = PACKETS / 2;
            if (read == half) Thread.sleep(SILENCE_MILLIS);
            int n = wire.nextBatch(into, (int) Math.min(max, read < half ? half - read : max));
            read += n;
            return n;
        }

        @Override
        public String describe() {
            return "silent at first and half-way: " + wire.describe();
        }

        @Override
        public void close() {
            wire.close();
        }
    }
}
