package io.tandem.sync;

import io.tandem.api.Packet;
import io.tandem.api.PacketSource;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine tests' hub: a replica started late sees the traffic the first replica sees now, never traffic the
 * first has not seen yet (unpaced, it would read the rest of the capture at once, which no live link does).
 */
final class Hub {
    /** How far a late tap may read ahead of the first one: a batch or two of capture. */
    private static final long SLACK = 2048;
    private final AtomicLong read = new AtomicLong();
    private volatile boolean paused;

    /**
     * A quiet spell: the first replica reads nothing until {@link #resume()}. (A replica coming back must log in
     * while the cluster still runs: unpaced, the cluster would otherwise finish the capture during a pause of the
     * test's machine longer than a second.)
     */
    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
    }

    /** The first replica's source: what it has read is the hub's present. */
    PacketSource first(PacketSource cursor) {
        return new Tap(cursor, 0, false);
    }

    /** A late replica's source, {@code skip} packets in: it reads no further than the first replica's present. */
    PacketSource late(PacketSource cursor, long skip) throws IOException, InterruptedException {
        for (long i = 0; i < skip; i++) cursor.next();
        return new Tap(cursor, skip, true);
    }

    private final class Tap implements PacketSource {
        private final PacketSource cursor;
        private final boolean gated;
        private long at;

        Tap(PacketSource cursor, long at, boolean gated) {
            this.cursor = cursor;
            this.at = at;
            this.gated = gated;
        }

        @Override
        public Packet next() throws IOException, InterruptedException {
            Packet[] one = new Packet[1];
            return nextBatch(one, 1) == 0 ? null : one[0];
        }

        @Override
        public int nextBatch(Packet[] into, int max) throws IOException, InterruptedException {
            long room = Long.MAX_VALUE;
            while (gated ? (room = read.get() + SLACK - at) <= 0 : paused) {
                LockSupport.parkNanos(100_000);
                if (Thread.interrupted()) throw new InterruptedException("hub closed");
            }
            int n = cursor.nextBatch(into, (int) Math.min(max, room));
            at += n;
            if (!gated) read.set(n == 0 ? Long.MAX_VALUE / 2 : at);
            return n;
        }

        @Override
        public String describe() {
            return cursor.describe() + (gated ? " (late tap)" : "");
        }

        @Override
        public void close() {
            cursor.close();
        }
    }
}
