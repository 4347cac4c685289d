package io.tandem.capture;

import io.tandem.api.HashDatabase;
import io.tandem.api.Packet;
import io.tandem.api.PacketSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Arrays;

/**
 * The capture side of one replica: packets from the source, minus the replica's random drop, registered in its
 * hash database (thesis HASH_REGISTER). The sync engine either runs it on its own thread ({@link #run()}) or calls
 * {@link #captureSome(int)} between its own steps.
 *
 * <p>A source that fails is treated like one that ended: the error is logged once, everything registered so far
 * is kept and the database learns that no more packets will come. Only one thread may capture at a time; the
 * counters can be read from any thread.
 */
public final class CaptureLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureLoop.class);
    /** Packets per {@link #captureSome} call in {@link #run()} and per registration batch. */
    static final int BATCH = 256;

    private final PacketSource source;
    private final RandomDrop drop;
    private final HashDatabase db;
    /** Reused between calls: only the capturing thread touches it. */
    private final Packet[] batch = new Packet[BATCH];

    // single writer (the capturing thread), read by others
    private volatile long seen;
    private volatile long randomDropped;
    private volatile long registered;
    private volatile long unregistered;
    private volatile boolean ended;
    private volatile String sourceError;

    public CaptureLoop(PacketSource source, RandomDrop drop, HashDatabase db) {
        if (source == null || drop == null || db == null) throw new IllegalArgumentException("source, drop and database are required");
        this.source = source;
        this.drop = drop;
        this.db = db;
    }

    /**
     * Reads up to {@code max} packets, drops the random-drop ones and registers the others.
     *
     * @return packets read from the source in this call; -1 once the source has ended (or failed) and everything
     *         it delivered has been registered — the database's {@code markSourceEnded()} has then been called,
     *         exactly once
     * @throws InterruptedException if interrupted while the source or the database blocked; the loop can be
     *         resumed later (packets read but not registered then are counted by {@link #unregistered()})
     */
    public int captureSome(int max) throws InterruptedException {
        if (ended) return -1;
        int read = 0;
        while (read < max) {
            int n;
            try {
                n = source.nextBatch(batch, Math.min(batch.length, max - read));
            } catch (IOException | RuntimeException e) {
                String msg = e instanceof IOException && e.getMessage() != null ? e.getMessage() : e.toString();
                sourceError = msg;
                LOG.error("capture from {}: source failed after {} packets, treated as ended: {}", source.describe(), seen, msg);
                end();
                break;
            }
            if (n == 0) {
                end();
                break;
            }
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (!drop.drop(batch[i])) batch[kept++] = batch[i];
            }
            // counters before registering: a reader never sees more registered than seen
            seen += n;
            randomDropped += n - kept;
            int appended = db.registerAll(batch, kept);
            registered += appended;
            Arrays.fill(batch, 0, n, null);
            read += n;
            if (appended < kept && Thread.interrupted()) {
                unregistered += kept - appended;
                throw new InterruptedException("capture interrupted with " + (kept - appended) + " packets read but not registered");
            }
        }
        return read == 0 && ended ? -1 : read;
    }

    private void end() {
        if (!ended) {
            ended = true;
            db.markSourceEnded();
        }
    }

    /** Captures until the source ends or fails, or the thread is interrupted (then the interrupt flag stays set). */
    @Override
    public void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                if (captureSome(BATCH) < 0) return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Packets read from the source. */
    public long seen() {
        return seen;
    }

    /** Packets dropped by the random drop. */
    public long randomDropped() {
        return randomDropped;
    }

    /**
     * Packets handed to the database (seen minus randomly dropped); the database's own stats tell how many of these
     * it dropped because it was full.
     */
    public long registered() {
        return registered;
    }

    /** Packets read but not registered because the capture was interrupted while the database was full. */
    public long unregistered() {
        return unregistered;
    }

    /** The source has ended or failed; the database has been told. */
    public boolean sourceEnded() {
        return ended;
    }

    /** The source's error message if it failed, else null. */
    public String sourceError() {
        return sourceError;
    }

    public RandomDrop randomDrop() {
        return drop;
    }

    @Override
    public String toString() {
        return "capture from " + source.describe() + ": seen " + seen + ", random drop " + randomDropped + ", registered "
                + registered + (sourceError != null ? ", failed: " + sourceError : ended ? ", ended" : "");
    }
}
