package io.tandem.sync;

import io.tandem.api.Alert;
import io.tandem.api.AlertSink;
import io.tandem.api.Analyzer;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.StreamInfo;
import io.tandem.api.SyncListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * The feeder (thesis 3.2.2, optimistic mode 1): aligned packets go from the sync thread into a bounded packet queue
 * and from there, on the feeder's own thread, to the analyzer, in aligned order.
 *
 * <p>The sync thread never waits: when the queue is full (analyzer slower than the traffic, or no analyzer while
 * its bundle is swapped) the packet is dropped and counted ({@link FeederStats#droppedFull()}). A slot is
 * reclaimed once the analyzer says it is done with the packet ({@link AnalyzerSession#completed()}), not when it
 * was handed over, so an analyzer that dies (or is swapped) is fed again from its last completed packet.
 *
 * <p>The queue is the feeder's own, not the hash database's: that one's slots are freed as soon as no peer needs
 * them, and a slow analyzer must not make capture drop packets (which the peers would then have to serve).
 */
public final class Feeder implements SyncListener {
    private static final Logger LOG = LoggerFactory.getLogger(Feeder.class);
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Failures in a row on one packet after which it is skipped. */
    static final int POISON_FAILURES = 3;

    private final String replicaId;
    private final int linkType;
    private final int capacity;
    private final long byteLimit;
    private final AlertSink alerts;
    private final LongConsumer progress;
    private final Thread thread;

    // The ring: slots [head, tail) hold packets not yet completed; [head, fed) were handed to the current session.
    private final long[] positions;
    private final Packet[] packets;
    private long head, fed, tail;
    private long bytes;
    private boolean ended;
    private boolean stopped;
    private Analyzer analyzer;
    private long analyzerChanges;

    // counters (written under the lock or by the feeder thread, read anywhere)
    private volatile long offered, droppedFull, analyzed, restarts, skippedPoison;
    private long poisonPosition = -1;
    /** Skipped packets not yet reclaimed: the analyzer's completed mark stops before them, the feeder steps over. */
    private final java.util.TreeSet<Long> skipped = new java.util.TreeSet<>();
    private int poisonFailures;
    private final LongAdder alertsRaised = new LongAdder();
    private volatile long completedUpTo;
    private volatile String state = "waiting for an analyzer";
    private volatile String analyzerName = "";
    private volatile boolean finished;

    /**
     * @param replicaId  the replica whose stream this is (told to the analyzer)
     * @param linkType   libpcap link type of the packets
     * @param capacity   packets the queue holds at most
     * @param byteLimit  captured bytes the queue holds at most
     * @param alerts     where the analyzer's alerts go (the alert filter session)
     * @param progress   told each new {@link AnalyzerSession#completed()} watermark (the alert filter's analyzedUpTo)
     */
    public Feeder(String replicaId, int linkType, int capacity, long byteLimit, AlertSink alerts, LongConsumer progress) {
        if (capacity < 1) throw new IllegalArgumentException("feeder capacity " + capacity + " < 1");
        if (byteLimit < 1) throw new IllegalArgumentException("feeder byte limit " + byteLimit + " < 1");
        this.replicaId = replicaId;
        this.linkType = linkType;
        this.capacity = capacity;
        this.byteLimit = byteLimit;
        this.alerts = alerts;
        this.progress = progress;
        this.positions = new long[capacity];
        this.packets = new Packet[capacity];
        this.thread = new Thread(this::run, "tandem-feeder-" + replicaId);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Feeds this analyzer from the oldest packet not yet completed; null: none (packets wait in the queue). */
    public synchronized void setAnalyzer(Analyzer a) {
        if (a == analyzer) return;
        analyzer = a;
        analyzerChanges++;
        analyzerName = a == null ? "" : a.name();
        if (a == null) state = "waiting for an analyzer";
        notifyAll();
    }

    /** Called on the sync thread: queues the packet, or drops and counts it when the queue is full. Never blocks. */
    @Override
    public void onDelivered(long position, PacketHash hash, Packet packet) {
        synchronized (this) {
            offered++;
            int size = packet.capturedLength();
            if (tail - head >= capacity || (bytes + size > byteLimit && tail > head)) {
                droppedFull++;
                return;
            }
            int slot = (int) (tail % capacity);
            positions[slot] = position;
            packets[slot] = packet;
            bytes += size;
            tail++;
            if (tail - fed == 1) notifyAll();
        }
    }

    @Override
    public synchronized void onEnd() {
        ended = true;
        notifyAll();
    }

    /** Stops the feeder thread; the session in use is closed (its pending alerts are lost). */
    public void stop() {
        synchronized (this) {
            stopped = true;
            notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) LOG.warn("feeder {}: the feeder thread did not stop within 10 s (its analyzer does not return)", replicaId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until the stream ended and the analyzer finished it (every alert raised); false on timeout, and at once
     * once the feeder is stopped.
     */
    public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (this) {
            while (!finished) {
                if (stopped) return false;
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    public FeederStats stats() {
        synchronized (this) {
            return new FeederStats(analyzerName, state, offered, droppedFull, analyzed, restarts, skippedPoison, alertsRaised.sum(), completedUpTo,
                    (int) (tail - head), capacity, bytes, byteLimit);
        }
    }

    private void run() {
        AnalyzerSession session = null;
        long sessionAnalyzer = -1;
        try {
            while (true) {
                Analyzer a;
                long changes;
                long position = -1;
                Packet packet = null;
                boolean idle = false;
                synchronized (this) {
                    if (stopped) break;
                    if (session != null && sessionAnalyzer != analyzerChanges) {
                        closeSession(session, "the analyzer was swapped");
                        session = null;
                    }
                    if (ended && head == tail && session == null && !finished) {
                        finished = true;
                        if (analyzer != null) state = "finished";
                        notifyAll();
                    }
                    a = analyzer;
                    changes = analyzerChanges;
                    boolean work = a != null && (session == null ? head < tail : fed < tail || ended);
                    if (!work) {
                        wait(200);
                        idle = true;
                    } else if (session != null && fed < tail) {
                        int slot = (int) (fed % capacity);
                        position = positions[slot];
                        packet = packets[slot];
                    }
                }
                if (idle) {
                    // an external analyzer completes packets on its own time: pass its watermark on while no traffic comes
                    if (session != null) reclaim(session);
                    continue;
                }
                if (session == null) {
                    long from = firstQueuedPosition();
                    try {
                        session = a.open(new StreamInfo(replicaId, linkType, from), this::raise);
                        synchronized (this) {
                            // the analyzer current when open began: a swap during a long open closes this session
                            sessionAnalyzer = changes;
                            fed = head;
                        }
                        state = "analyzing";
                        LOG.info("feeder {}: analyzer {} started at position {}", replicaId, a.name(), from);
                    } catch (Throwable e) {
                        if (e instanceof InterruptedException ie) throw ie;
                        state = "failed: " + a.name() + ": " + oneLine(e);
                        LOG.error("feeder {}: analyzer {} could not start: {}; trying again in 1 s (packets wait in the queue)", replicaId, a.name(), oneLine(e));
                        pause();
                    }
                    continue;
                }
                if (packet != null && skip(position)) continue;
                try {
                    if (packet == null) { // the stream ended and every packet was handed over
                        session.finish();
                    } else {
                        session.analyze(position, packet);
                        analyzed++;
                    }
                } catch (Throwable e) { // an Error too: one hostile packet must not end analysis for good
                    if (e instanceof InterruptedException ie) throw ie;
                    restarts++;
                    noteFailure(position);
                    state = "restarting: " + oneLine(e);
                    reclaim(session);
                    LOG.error("feeder {}: analyzer {} failed at position {}: {}; restarting it from position {}", replicaId, a.name(),
                            packet == null ? "end of stream" : position, oneLine(e), completedUpTo);
                    closeSession(session, null);
                    session = null;
                    pause();
                    continue;
                }
                if (packet == null) {
                    reclaim(session);
                    closeSession(session, null);
                    session = null;
                    continue;
                }
                synchronized (this) {
                    fed++;
                }
                reclaim(session);
            }
        } catch (InterruptedException e) {
            // stop()
        } finally {
            if (session != null) closeSession(session, "the feeder stopped");
            state = "stopped";
        }
    }

    /**
     * A packet the analyzer failed on {@link #POISON_FAILURES} times in a row (a deterministic analyzer fails on it
     * every time it is replayed) is skipped, counted and logged, so that it cannot stall analysis for good.
     */
    private boolean skip(long position) {
        synchronized (this) {
            if (position != poisonPosition || poisonFailures < POISON_FAILURES) return false;
            fed++;
            skipped.add(position);
            skippedPoison++;
            poisonFailures = 0;
        }
        LOG.error("feeder {}: skipping the packet at position {}: the analyzer failed on it {} times in a row (counted as feeder.skipped)",
                replicaId, position, POISON_FAILURES);
        return true;
    }

    private synchronized void noteFailure(long position) {
        if (position >= 0 && position == poisonPosition) {
            poisonFailures++;
        } else {
            poisonPosition = position;
            poisonFailures = position >= 0 ? 1 : 0;
        }
    }

    /** Frees the slots of packets the session completed and tells the alert filter how far analysis got. */
    private void reclaim(AnalyzerSession session) {
        long done = session.completed();
        boolean advanced = false;
        synchronized (this) {
            while (head < fed) {
                long p = positions[(int) (head % capacity)];
                if (p == done && skipped.remove(p)) done = p + 1;
                else if (p >= done) break;
                int slot = (int) (head % capacity);
                bytes -= packets[slot].capturedLength();
                packets[slot] = null;
                head++;
                advanced = true;
            }
            if (done > completedUpTo) {
                completedUpTo = done;
                advanced = true;
            }
        }
        if (advanced) progress.accept(completedUpTo);
    }

    private synchronized long firstQueuedPosition() {
        return head < tail ? positions[(int) (head % capacity)] : completedUpTo;
    }

    private void raise(Alert a) {
        alertsRaised.increment();
        alerts.raise(a);
    }

    private void closeSession(AnalyzerSession s, String why) {
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.warn("feeder {}: closing the analyzer session: {}", replicaId, oneLine(e));
        }
        if (why != null) LOG.info("feeder {}: analyzer session closed ({}); packets not completed wait in the queue", replicaId, why);
    }

    private synchronized void pause() throws InterruptedException {
        long deadline = System.nanoTime() + RETRY_NANOS;
        while (!stopped) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return;
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    private static String oneLine(Throwable e) {
        String m = e instanceof Error || e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replaceAll("[\\r\\n]+", " ");
    }
}
