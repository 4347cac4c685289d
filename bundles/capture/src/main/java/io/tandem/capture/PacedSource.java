package io.tandem.capture;

import io.tandem.api.Packet;
import io.tandem.api.PacketSource;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * Replays a source at a fixed packet rate (config {@code source.pps}): packet n is handed out no earlier than
 * n / pps seconds after the first, so a slow reader catches up instead of the rate drifting down.
 */
public final class PacedSource implements PacketSource {
    private final PacketSource source;
    private final int pps;
    private long startNanos;
    private long count;

    public PacedSource(PacketSource source, int pps) {
        if (pps <= 0) throw new IllegalArgumentException("packet rate must be positive, not " + pps);
        this.source = source;
        this.pps = pps;
    }

    @Override
    public Packet next() throws IOException, InterruptedException {
        if (count == 0) startNanos = System.nanoTime();
        long due = startNanos + count * 1_000_000_000L / pps;
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) throw new InterruptedException("capture stopped");
        }
        count++;
        return source.next();
    }

    @Override
    public int linkType() {
        return source.linkType();
    }

    @Override
    public String describe() {
        return source.describe() + " at " + pps + " packets/s";
    }

    @Override
    public void close() {
        source.close();
    }
}
