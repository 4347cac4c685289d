package io.tandem.sync;

import io.tandem.api.ClusterParameters;
import io.tandem.api.HashDatabase;
import io.tandem.api.HashFunction;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.PacketSource;
import io.tandem.capture.LoopedCapture;
import io.tandem.hashdb.HashFunctions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
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
        List<TestReplica> replicas = new ArrayList<>();
        try {
            int leaderPort = 0;
            for (int i = 0; i < 2; i++) {
                boolean leader = i == 0;
                TestReplica r = new TestReplica("r" + (i + 1), leader, leaderPort, secret, 1, new Silences(source.cursor(PACKETS), opened),
                        leader ? "0" : "3000", md5, PARAMS, 20_000, HashDatabase.WhenFull.BLOCK,
                        b -> b.heartbeatMillis(100).peerTimeoutMillis(1_000).requestTimeoutMillis(REQUEST_TIMEOUT_MILLIS));
                r.peers.start();
                if (leader) leaderPort = r.peers.listenAddress().getPort();
                replicas.add(r);
            }
            for (TestReplica r : replicas) r.engine.start();
            for (TestReplica r : replicas) {
                assertTrue(r.engine.awaitEnd(120, TimeUnit.SECONDS), "did not finish: " + r.engine.stats());
                assertNull(r.engine.failure());
            }
            assertTrue(System.nanoTime() - opened > TimeUnit.MILLISECONDS.toNanos(2 * SILENCE_MILLIS), "both silences happened");
            assertEquals(replicas.get(0).log, replicas.get(1).log, "both deliver the same stream");
            List<PacketHash> expected = new ArrayList<>();
            for (long i = 0; i < PACKETS; i++) expected.add(md5.hashPacket(source.get(i), PARAMS.snippet()));
            assertEquals(expected, replicas.get(0).log, "the whole source, booted on its first packet after the first silence");
        } finally {
            for (TestReplica r : replicas) r.kill();
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
