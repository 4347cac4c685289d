package io.tandem.capture.internal.osgi;

import io.tandem.api.CaptureSession;
import io.tandem.api.CaptureStats;
import io.tandem.api.HashDatabase;
import io.tandem.api.PacketSource;
import io.tandem.capture.CaptureLoop;
import io.tandem.capture.RandomDrop;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One open capture. The random drop can change while it runs: the capturing thread then replaces the capture
 * loop by one with the new drop, on the same source and database, before its next batch; the counters carry on.
 */
final class Session implements CaptureSession {
    /** The loop in use and what the loops before it counted, swapped as one so stats never mix two. */
    private record Current(CaptureLoop loop, long seenBefore, long droppedBefore, long registeredBefore) {
    }

    private final PacketSource source;
    private final HashDatabase db;
    private final int maxPerCall;
    private final LongSupplier sourceDropped;
    private final Consumer<Session> onClose;
    private volatile Current current;
    private volatile RandomDrop pending;

    /**
     * @param maxPerCall    packets per {@link #captureSome} call at most, so that a slow paced source still sees a new drop soon
     * @param sourceDropped what the source itself lost so far (libpcap's drops for an interface)
     */
    Session(PacketSource source, HashDatabase db, RandomDrop drop, int maxPerCall, LongSupplier sourceDropped, Consumer<Session> onClose) {
        this.source = source;
        this.db = db;
        this.maxPerCall = maxPerCall;
        this.sourceDropped = sourceDropped;
        this.onClose = onClose;
        this.current = new Current(new CaptureLoop(source, drop, db), 0, 0, 0);
    }

    @Override
    public int captureSome(int max) throws InterruptedException {
        RandomDrop next = pending;
        Current c = current;
        if (next != null && c.loop().randomDrop() != next && !c.loop().sourceEnded()) {
            CaptureLoop old = c.loop();
            c = new Current(new CaptureLoop(source, next, db), c.seenBefore() + old.seen(),
                    c.droppedBefore() + old.randomDropped(), c.registeredBefore() + old.registered());
            current = c;
        }
        return c.loop().captureSome(Math.min(max, maxPerCall));
    }

    @Override
    public int linkType() {
        return source.linkType();
    }

    void setRandomDrop(RandomDrop drop) {
        pending = drop;
    }

    @Override
    public String describe() {
        return source.describe();
    }

    @Override
    public CaptureStats stats() {
        Current c = current;
        CaptureLoop l = c.loop();
        RandomDrop next = pending;
        String spec = next != null ? next.spec() : l.randomDrop().spec();
        return new CaptureStats(c.seenBefore() + l.seen(), c.droppedBefore() + l.randomDropped(), c.registeredBefore() + l.registered(), sourceDropped.getAsLong(),
                spec, l.sourceEnded(), l.sourceError());
    }

    @Override
    public void close() {
        source.close();
        onClose.accept(this);
    }
}
