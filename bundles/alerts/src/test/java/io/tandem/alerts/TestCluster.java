package io.tandem.alerts;

import io.tandem.api.AlertDigest;
import io.tandem.api.AlertFilterSession;
import io.tandem.api.AlertFilterStats;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Replicas' alert filters wired in-process. Digests travel with a random delay per digest, in order on each link
 * (as over one TCP connection) but reordered across links; a cut member's digests stop, in flight ones included.
 */
final class TestCluster implements AutoCloseable {
    final List<ReportedAlert> reports = new ArrayList<>();
    private final Map<String, TandemAlertFilter> filters = new TreeMap<>();
    private final Map<String, AlertFilterSession> sessions = new HashMap<>();
    private final Set<String> cut = new HashSet<>();
    private final Map<String, ArrayDeque<AlertDigest>> links = new HashMap<>();
    private final ScheduledExecutorService network = Executors.newSingleThreadScheduledExecutor();
    private final Random random;
    private final int maxDelayMillis;
    private final long finishTimeoutMillis;

    TestCluster(long seed, int maxDelayMillis, long finishTimeoutMillis) {
        this.random = new Random(seed);
        this.maxDelayMillis = maxDelayMillis;
        this.finishTimeoutMillis = finishTimeoutMillis;
    }

    /** Opens a member's session (not in any view yet). */
    synchronized AlertFilterSession start(String id) {
        TandemAlertFilter f = TandemAlertFilter.builder().output(AlertOutputs.collect(reports)).digestIntervalMillis(20)
                .finishTimeoutMillis(finishTimeoutMillis).build();
        filters.put(id, f);
        cut.remove(id);
        AlertFilterSession s = f.open(id, d -> send(id, d));
        sessions.put(id, s);
        return s;
    }

    AlertFilterSession session(String id) {
        synchronized (this) {
            return sessions.get(id);
        }
    }

    TandemAlertFilter filter(String id) {
        synchronized (this) {
            return filters.get(id);
        }
    }

    /** Every live member gets the same view. */
    void view(String... members) {
        List<AlertFilterSession> live = new ArrayList<>();
        synchronized (this) {
            for (String m : members) if (sessions.containsKey(m) && !cut.contains(m)) live.add(sessions.get(m));
        }
        for (AlertFilterSession s : live) s.onView(List.of(members));
    }

    /** The member crashes: nothing more leaves it or reaches it; its session is dropped without finishing. */
    void crash(String id) {
        AlertFilterSession s;
        synchronized (this) {
            cut.add(id);
            s = sessions.remove(id);
        }
        // closing writes what it had decided, as a replica that got its reports out before dying would
        if (s != null) s.close();
    }

    private void send(String from, AlertDigest d) {
        List<String> to = new ArrayList<>();
        synchronized (this) {
            if (cut.contains(from)) return;
            for (String id : sessions.keySet()) if (!id.equals(from)) to.add(id);
            for (String id : to) {
                String link = from + ">" + id;
                links.computeIfAbsent(link, l -> new ArrayDeque<>()).add(d);
                // each task delivers the link's oldest digest, whichever task runs first: FIFO per link
                network.schedule(() -> deliver(from, id), random.nextInt(maxDelayMillis + 1), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void deliver(String from, String to) {
        AlertFilterSession s;
        AlertDigest d;
        synchronized (this) {
            d = links.get(from + ">" + to).poll();
            if (d == null || cut.contains(from) || cut.contains(to)) return;
            s = sessions.get(to);
        }
        if (s != null) s.onDigest(from, d);
    }

    /** How many times each alert id was reported, by alert id. */
    Map<String, Integer> reportCounts() {
        Map<String, Integer> n = new TreeMap<>();
        synchronized (reports) {
            for (ReportedAlert r : reports) n.merge(r.alert().key().toString(), 1, Integer::sum);
        }
        return n;
    }

    Map<String, String> reporters() {
        Map<String, String> n = new TreeMap<>();
        synchronized (reports) {
            for (ReportedAlert r : reports) n.put(r.alert().key().toString(), r.reporter());
        }
        return n;
    }

    AlertFilterStats stats(String id) {
        return filter(id).stats();
    }

    static boolean await(BooleanSupplier condition, long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < until) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }

    @Override
    public void close() {
        List<TandemAlertFilter> all;
        synchronized (this) {
            all = new ArrayList<>(filters.values());
        }
        for (TandemAlertFilter f : all) f.close();
        network.shutdownNow();
    }
}
