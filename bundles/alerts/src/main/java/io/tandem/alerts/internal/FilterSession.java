package io.tandem.alerts.internal;

import io.tandem.api.Alert;
import io.tandem.api.AlertDigest;
import io.tandem.api.AlertDigestChannel;
import io.tandem.api.AlertFilterSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One replica incarnation's alert filter session: the {@link Agreement} behind a lock, and one thread of its own
 * that writes reports to the outputs and sends digests. Callers (the analyzer, MINA's threads, the conductor) only
 * take the lock for the agreement's bookkeeping and never wait on outputs or peers.
 */
public final class FilterSession implements AlertFilterSession {
    private static final Logger LOG = LoggerFactory.getLogger(FilterSession.class);
    /** Digests sent in one go at most: a large backlog is spread over ticks rather than flooding the peers. */
    private static final int DIGESTS_PER_TICK = 16;

    /** Where decided alerts go: the filter's outputs. Called on the session's own thread. */
    public interface Reporter {
        void report(String reporter, List<Alert> alerts);
    }

    private final Agreement agreement;
    private final AlertDigestChannel peers;
    private final Reporter reporter;
    private final long finishTimeoutMillis;
    private final Consumer<FilterSession> onClose;
    private final ScheduledExecutorService thread;
    private boolean closed;

    /**
     * @param digestIntervalMillis how often a digest goes out when something changed
     * @param finishTimeoutMillis  how long {@link #finish()} waits for peers to settle what is pending
     * @param onClose              told once when the session closes (the filter keeps its counters)
     */
    public FilterSession(Agreement agreement, AlertDigestChannel peers, Reporter reporter, long digestIntervalMillis,
                         long finishTimeoutMillis, Consumer<FilterSession> onClose) {
        this.agreement = agreement;
        this.peers = peers;
        this.reporter = reporter;
        this.finishTimeoutMillis = finishTimeoutMillis;
        this.onClose = onClose;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "tandem-alerts-" + agreement.localId());
            th.setDaemon(true);
            return th;
        });
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.thread = t;
        thread.scheduleWithFixedDelay(guarded(this::sendDigests), digestIntervalMillis, digestIntervalMillis, TimeUnit.MILLISECONDS);
    }

    public String localId() {
        return agreement.localId();
    }

    @Override
    public void raise(Alert alert) {
        Agreement.Decisions d;
        synchronized (this) {
            if (closed) return;
            d = agreement.raise(alert);
        }
        dispatch(d);
    }

    @Override
    public void analyzedUpTo(long position) {
        synchronized (this) {
            if (!closed) agreement.analyzedUpTo(position);
        }
    }

    @Override
    public void onView(List<String> members) {
        Agreement.Decisions d;
        synchronized (this) {
            if (closed) return;
            d = agreement.onView(members);
            notifyAll();
        }
        dispatch(d);
        releaseHistoryAfterWrites();
    }

    @Override
    public void onDigest(String peerId, AlertDigest digest) {
        Agreement.Decisions d;
        synchronized (this) {
            if (closed) return;
            d = agreement.onDigest(peerId, digest);
            notifyAll();
        }
        dispatch(d);
        releaseHistoryAfterWrites();
    }

    /**
     * Announces the end (watermark {@link Long#MAX_VALUE}), waits up to the finish timeout for the peers' final
     * digests to settle what is pending, reports whatever is still pending here, and returns once every report is
     * written and announced.
     */
    @Override
    public void finish() {
        synchronized (this) {
            if (closed) return;
            agreement.finish();
        }
        submit(this::sendDigests);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(finishTimeoutMillis);
        Agreement.Decisions forced;
        synchronized (this) {
            try {
                long left;
                while (!closed && agreement.pendingCount() > 0 && (left = deadline - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (closed) return;
            forced = agreement.forceDecide();
        }
        if (!forced.toReport().isEmpty()) {
            LOG.warn("{}: {} alerts still undecided {} ms after the end; reported here (a peer may report them too)",
                    localId(), forced.toReport().size(), finishTimeoutMillis);
        }
        dispatch(forced);
        // every decided report written (some may have been dispatched by another thread just now), then announced
        synchronized (this) {
            try {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!closed && agreement.reportingCount() > 0 && System.nanoTime() < until) wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Future<?> last = submit(this::sendDigests);
        if (last == null) return;
        try {
            last.get(finishTimeoutMillis + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("{}: last reports and digest not confirmed: {}", localId(), e.toString());
        }
    }

    /**
     * Stops the session. Reports already decided are still written (a single replica must not lose them); alerts
     * still pending are left to the peers, which take them over once this replica leaves their view.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            notifyAll();
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("{}: reports still being written after 5 s; stopping them", localId());
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
        onClose.accept(this);
    }

    public synchronized Agreement.AlertFilterCounters counters() {
        return agreement.counters();
    }

    /** The current view, null until one is agreed. */
    public synchronized List<String> view() {
        return agreement.view();
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * A history tells what this replica reported before its new view; reports decided before it and still being
     * written would be missing from it (a peer could then report them too). The task runs after those writes.
     */
    private void releaseHistoryAfterWrites() {
        synchronized (this) {
            if (!agreement.historyHeld()) return;
        }
        submit(() -> {
            synchronized (this) {
                agreement.releaseHistory();
            }
            sendDigests();
        });
    }

    private void dispatch(Agreement.Decisions d) {
        if (d.toReport().isEmpty()) return;
        List<Alert> alerts = d.toReport();
        submit(() -> write(alerts));
    }

    /** Runs on the session's thread, after what is queued there; null when the session is stopped. */
    private Future<?> submit(Runnable task) {
        try {
            return thread.submit(guarded(task));
        } catch (RejectedExecutionException stopped) {
            return null;
        }
    }

    /**
     * A task that logs what it throws instead of dying with it: a periodic task that throws is never run again, and
     * a failure nobody reads is a report silently not made.
     */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable e) {
                LOG.error("{}: alert filter task failed: {}", localId(), e.toString());
            }
        };
    }

    /**
     * Report = write to every output, then announce it at once: the peers learn of a report within the time the
     * digest takes to reach them, not a digest interval later, which is the window in which a reporter that dies
     * makes a peer report its last alerts again (docs/alerts.md).
     */
    private void write(List<Alert> alerts) {
        try {
            reporter.report(localId(), alerts);
        } catch (RuntimeException e) {
            // the outputs log their own failures; an alert is not decided twice because one output failed
            LOG.warn("{}: writing {} alerts: {}", localId(), alerts.size(), e.toString());
        }
        synchronized (this) {
            for (Alert a : alerts) agreement.reported(a.key());
            notifyAll();
        }
        sendDigests();
    }

    private void sendDigests() {
        for (int i = 0; i < DIGESTS_PER_TICK; i++) {
            AlertDigest d;
            synchronized (this) {
                d = agreement.nextDigest();
            }
            if (d == null) return;
            try {
                peers.send(d);
            } catch (RuntimeException e) {
                LOG.warn("{}: sending alert digest: {}", localId(), e.toString());
            }
        }
    }
}
