package io.tandem.alerts;

import io.tandem.alerts.internal.Agreement;
import io.tandem.alerts.internal.FilterSession;
import io.tandem.api.Alert;
import io.tandem.api.AlertDigestChannel;
import io.tandem.api.AlertFilter;
import io.tandem.api.AlertFilterSession;
import io.tandem.api.AlertFilterStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The alert filter without OSGi: sessions that agree with their peers on who reports each alert (docs/alerts.md),
 * the outputs they report to, and the most recent reports. The bundle's DS component publishes one; the CLI builds
 * one per in-process replica:
 * <pre>
 *   TandemAlertFilter f = TandemAlertFilter.builder().output(AlertOutputs.eveFile(path)).build();
 *   AlertFilterSession s = f.open("r1", digest -&gt; ...send to every other member...);
 * </pre>
 */
public final class TandemAlertFilter implements AlertFilter, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TandemAlertFilter.class);

    /** Default horizon: four times the feeder's default queue, which bounds how far a rollback can re-analyze. */
    public static final long DEFAULT_HORIZON = 262_144;
    public static final long DEFAULT_DIGEST_INTERVAL_MILLIS = 100;
    public static final long DEFAULT_FINISH_TIMEOUT_MILLIS = 5_000;
    public static final int DEFAULT_RECENT = 1_000;

    /**
     * How sessions opened from now on agree; a running session keeps the settings it was opened with.
     *
     * @param horizon              positions behind the local watermark after which keys are forgotten
     * @param digestIntervalMillis how often a digest goes out while something changed
     * @param finishTimeoutMillis  how long finish() waits for peers before reporting what is pending itself
     */
    public record Settings(long horizon, long digestIntervalMillis, long finishTimeoutMillis) {
        public Settings {
            if (horizon < 1) throw new IllegalArgumentException("horizon must be at least 1, not " + horizon);
            if (digestIntervalMillis < 1) throw new IllegalArgumentException("digest interval must be at least 1 ms, not " + digestIntervalMillis);
            if (finishTimeoutMillis < 0) throw new IllegalArgumentException("finish timeout must be at least 0 ms, not " + finishTimeoutMillis);
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_HORIZON, DEFAULT_DIGEST_INTERVAL_MILLIS, DEFAULT_FINISH_TIMEOUT_MILLIS);
        }
    }

    private final ReadWriteLock outputLock = new ReentrantReadWriteLock();
    private List<AlertOutput> outputs;
    private volatile Settings settings;
    private volatile int recentCapacity;
    private final ArrayDeque<Alert> recent = new ArrayDeque<>();
    private final List<FilterSession> sessions = new CopyOnWriteArrayList<>();
    /** Counters of sessions already closed. */
    private final long[] closedTotals = new long[5];

    private TandemAlertFilter(List<AlertOutput> outputs, Settings settings, int recentCapacity) {
        this.outputs = List.copyOf(outputs);
        this.settings = settings;
        this.recentCapacity = recentCapacity;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public AlertFilterSession open(String localId, AlertDigestChannel peers) {
        Objects.requireNonNull(localId, "localId");
        Objects.requireNonNull(peers, "peers");
        Settings s = settings;
        FilterSession session = new FilterSession(new Agreement(localId, s.horizon()), peers, this::report,
                s.digestIntervalMillis(), s.finishTimeoutMillis(), this::closed);
        sessions.add(session);
        return session;
    }

    @Override
    public String eveLine(Alert alert, String reporter) {
        return EveJson.line(alert, reporter);
    }

    @Override
    public List<Alert> recent(int max) {
        synchronized (recent) {
            int n = Math.max(0, Math.min(max, recent.size()));
            List<Alert> out = new ArrayList<>(recent);
            return List.copyOf(out.subList(out.size() - n, out.size()));
        }
    }

    @Override
    public AlertFilterStats stats() {
        long raised, reported, byPeers, duplicates, takenOver, pending = 0;
        synchronized (closedTotals) {
            raised = closedTotals[0];
            reported = closedTotals[1];
            byPeers = closedTotals[2];
            duplicates = closedTotals[3];
            takenOver = closedTotals[4];
        }
        for (FilterSession s : sessions) {
            Agreement.AlertFilterCounters c = s.counters();
            raised += c.raised();
            reported += c.reported();
            byPeers += c.reportedByPeers();
            duplicates += c.duplicates();
            takenOver += c.takenOver();
            pending += c.pending();
        }
        return new AlertFilterStats(raised, reported, byPeers, duplicates, takenOver, pending);
    }

    /** Sessions opened from now on use these. */
    public void setSettings(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
    }

    public Settings settings() {
        return settings;
    }

    /** How many reported alerts {@link #recent(int)} keeps from now on. */
    public void setRecentCapacity(int alerts) {
        if (alerts < 1) throw new IllegalArgumentException("recent must be at least 1, not " + alerts);
        synchronized (recent) {
            recentCapacity = alerts;
            while (recent.size() > alerts) recent.removeFirst();
        }
    }

    /** Replaces the outputs (live); the previous ones are closed once no report is being written to them. */
    public void setOutputs(List<AlertOutput> next) {
        List<AlertOutput> previous;
        outputLock.writeLock().lock();
        try {
            previous = outputs;
            outputs = List.copyOf(next);
        } finally {
            outputLock.writeLock().unlock();
        }
        for (AlertOutput o : previous) if (!next.contains(o)) closeQuietly(o);
    }

    /** Closes every session (pending alerts are left to the peers) and the outputs. */
    @Override
    public void close() {
        for (FilterSession s : sessions) s.close();
        setOutputs(List.of());
    }

    /** Writes a batch to every output (an output that fails does not keep the others from it) and keeps it as recent. */
    private void report(String reporter, List<Alert> alerts) {
        outputLock.readLock().lock();
        try {
            for (AlertOutput o : outputs) {
                try {
                    for (Alert a : alerts) o.write(a, reporter);
                    o.flush();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("{}: {} alerts not written to {}: {}", reporter, alerts.size(), o, e.toString());
                }
            }
        } finally {
            outputLock.readLock().unlock();
        }
        synchronized (recent) {
            for (Alert a : alerts) {
                if (recent.size() >= recentCapacity) recent.removeFirst();
                recent.addLast(a);
            }
        }
    }

    private void closed(FilterSession s) {
        Agreement.AlertFilterCounters c = s.counters();
        synchronized (closedTotals) {
            closedTotals[0] += c.raised();
            closedTotals[1] += c.reported();
            closedTotals[2] += c.reportedByPeers();
            closedTotals[3] += c.duplicates();
            closedTotals[4] += c.takenOver();
        }
        sessions.remove(s);
    }

    private static void closeQuietly(AlertOutput o) {
        try {
            o.close();
        } catch (Exception e) {
            LOG.warn("closing {}: {}", o, e.toString());
        }
    }

    /** Builds a filter; with no output at all it only keeps recent alerts in memory. */
    public static final class Builder {
        private final List<AlertOutput> outputs = new ArrayList<>();
        private long horizon = DEFAULT_HORIZON;
        private long digestIntervalMillis = DEFAULT_DIGEST_INTERVAL_MILLIS;
        private long finishTimeoutMillis = DEFAULT_FINISH_TIMEOUT_MILLIS;
        private int recent = DEFAULT_RECENT;

        private Builder() {
        }

        public Builder output(AlertOutput output) {
            outputs.add(Objects.requireNonNull(output));
            return this;
        }

        public Builder outputs(List<? extends AlertOutput> all) {
            all.forEach(this::output);
            return this;
        }

        public Builder horizon(long positions) {
            this.horizon = positions;
            return this;
        }

        public Builder digestIntervalMillis(long millis) {
            this.digestIntervalMillis = millis;
            return this;
        }

        public Builder finishTimeoutMillis(long millis) {
            this.finishTimeoutMillis = millis;
            return this;
        }

        /** How many reported alerts {@link #recent(int)} keeps. */
        public Builder recent(int alerts) {
            if (alerts < 1) throw new IllegalArgumentException("recent must be at least 1, not " + alerts);
            this.recent = alerts;
            return this;
        }

        public Builder settings(Settings s) {
            horizon = s.horizon();
            digestIntervalMillis = s.digestIntervalMillis();
            finishTimeoutMillis = s.finishTimeoutMillis();
            return this;
        }

        public TandemAlertFilter build() {
            return new TandemAlertFilter(outputs, new Settings(horizon, digestIntervalMillis, finishTimeoutMillis), recent);
        }
    }
}
