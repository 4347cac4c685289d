package io.tandem.sync.internal.osgi;

import io.tandem.api.Alert;
import io.tandem.api.AlertDigest;
import io.tandem.api.AlertFilter;
import io.tandem.api.AlertFilterSession;
import io.tandem.api.Analyzer;
import io.tandem.api.ConnectionManager;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.SyncListener;
import io.tandem.sync.Feeder;
import io.tandem.sync.FeederStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The analysis side of one replica incarnation: the feeder and its analyzer, and the alert filter session the
 * alerts go to, wired to the engine's views and to the peers for alert digests. Analyzer and alert filter are
 * services that may come and go (bundles swapped) while the replica runs.
 */
final class Analysis implements SyncListener {
    private static final Logger LOG = LoggerFactory.getLogger(Analysis.class);

    private final String localId;
    private final Feeder feeder;
    private final LongAdder unfiltered = new LongAdder();
    private volatile ConnectionManager peers;
    private volatile List<String> members = List.of();
    private volatile AlertFilter filter;
    private volatile AlertFilterSession session;
    private volatile long analyzedUpTo;
    private volatile boolean ended;
    private volatile boolean stopped;
    /** Waits for the analyzer to finish a stream that ended, then lets the filter decide what still waits. */
    private volatile Thread ender;
    private boolean warnedUnfiltered;

    Analysis(String localId, int linkType, SyncConfig config) {
        this.localId = localId;
        this.feeder = new Feeder(localId, linkType, config.feederPackets(), config.feederBytes(), this::raise, this::analyzedUpTo);
    }

    void start() {
        feeder.start();
    }

    /** The connection manager of the engine now running (digests go out through it). */
    void peers(ConnectionManager cm) {
        this.peers = cm;
    }

    void setAnalyzer(Analyzer a) {
        feeder.setAnalyzer(a);
    }

    /**
     * Opens a session of this filter (null: none; alerts are then counted as unfiltered and logged). The old
     * session is closed after the switch, outside the lock: closing waits for its outputs, and the sync thread's
     * view changes must not wait for that.
     */
    void setAlertFilter(AlertFilter f) {
        AlertFilterSession old;
        boolean finish;
        synchronized (this) {
            if (f == filter) return;
            old = session;
            session = null;
            filter = f;
            if (f != null) {
                AlertFilterSession s = f.open(localId, this::sendDigest);
                if (!members.isEmpty()) s.onView(members);
                if (analyzedUpTo > 0) s.analyzedUpTo(analyzedUpTo);
                session = s;
            }
            finish = f != null && ended && feederFinished();
        }
        if (old != null) old.close();
        AlertFilterSession s = session;
        if (finish && s != null) s.finish();
    }

    void onDigest(String peerId, AlertDigest digest) {
        AlertFilterSession s = session;
        if (s != null) s.onDigest(peerId, digest);
    }

    @Override
    public void onDelivered(long position, PacketHash hash, Packet packet) {
        feeder.onDelivered(position, hash, packet);
    }

    @Override
    public void onView(long view, List<String> members) {
        AlertFilterSession s;
        synchronized (this) { // a filter opened meanwhile gets the new members from setAlertFilter
            this.members = members;
            s = session;
        }
        if (s != null) s.onView(members);
    }

    /** The stream ended: once the analyzer has finished it, the filter decides what still waits. */
    @Override
    public void onEnd() {
        feeder.onEnd();
        ended = true;
        Thread t = ender = new Thread(() -> {
            try {
                while (!feeder.awaitFinished(1, TimeUnit.SECONDS)) {
                    if (stopped) return;
                }
                AlertFilterSession s = session;
                if (s != null) s.finish();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tandem-analysis-end-" + localId);
        t.setDaemon(true);
        t.start();
    }

    private boolean feederFinished() {
        try {
            return feeder.awaitFinished(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void stop() {
        stopped = true;
        Thread t = ender;
        if (t != null) t.interrupt();
        feeder.stop();
        AlertFilterSession s;
        synchronized (this) {
            s = session;
            session = null;
        }
        if (s != null) s.close();
    }

    FeederStats feederStats() {
        return feeder.stats();
    }

    long unfiltered() {
        return unfiltered.sum();
    }

    private void raise(Alert a) {
        AlertFilterSession s = session;
        if (s != null) {
            s.raise(a);
            return;
        }
        unfiltered.increment();
        synchronized (this) {
            if (!warnedUnfiltered) {
                warnedUnfiltered = true;
                LOG.warn("replica {}: an alert was raised but no alert filter (bundle tandem-alerts) is running: it is counted as alerts.unfiltered and logged, not reported; {}",
                        localId, a);
            } else {
                LOG.info("replica {}: unfiltered alert {}", localId, a);
            }
        }
    }

    private void analyzedUpTo(long position) {
        analyzedUpTo = position;
        AlertFilterSession s = session;
        if (s != null) s.analyzedUpTo(position);
    }

    private void sendDigest(AlertDigest d) {
        ConnectionManager cm = peers;
        if (cm == null) return;
        for (String m : members) {
            if (!m.equals(localId)) cm.sendAlertDigest(m, d);
        }
    }
}
