package io.tandem.alerts.internal;

import io.tandem.api.Alert;
import io.tandem.api.AlertDigest;
import io.tandem.api.AlertKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One replica incarnation's side of the agreement on who reports which alert (docs/alerts.md). Plain logic, no
 * threads and not thread-safe: {@link FilterSession} serializes the calls.
 *
 * <p>Rule: an alert is reported by the lowest-id member of the current view that raised it. This replica reports
 * an alert it raised once every lower-id member of the view has announced a watermark above the alert's position
 * without having raised it; it drops it once any member announces it reported it; a lower-id member that raised it
 * and leaves the view before announcing the report hands it back (take-over).
 */
public final class Agreement {

    /**
     * Gid and position of the first key of a digest's {@code reported} list when the digest starts the sender's
     * history: every key it still remembers follows (in that digest and the next ones), and its sid is the
     * fingerprint of the sender's view ({@link #fingerprint}). No alert has position -1.
     */
    static final int MARKER_GID = 0;
    static final long MARKER_POSITION = -1;

    /** Keys per list in one digest; more go in the next digest (a frame holds 16 MiB, 20 bytes a key). */
    static final int MAX_KEYS_PER_DIGEST = 50_000;

    /** What became of an alert raised here. */
    private enum Outcome { REPORTING, REPORTED, BY_PEER }

    private static final class Pending {
        final Alert alert;
        /** A lower-id member raised it, so this replica waited for that member's report. */
        boolean waitedOnReporter;

        Pending(Alert alert) {
            this.alert = alert;
        }
    }

    /** What this replica knows of another member from its digests. */
    private static final class Member {
        /** The highest watermark it announced since its last history. */
        long watermark = -1;
        /**
         * Fingerprint of the view it sent its last history under (0: none yet). When it equals this replica's
         * view, every key it raised below {@link #watermark} and every key it reported is known here, and it
         * decides in that view too, so it waits on this replica like this one waits on it.
         */
        long historyView;
        final TreeSet<AlertKey> raised = new TreeSet<>();
    }

    /** A decision taken by one call: alerts to write to the outputs now. */
    public record Decisions(List<Alert> toReport) {
        static final Decisions NONE = new Decisions(List.of());
    }

    private final String me;
    private final long horizon;

    private List<String> view;
    private long viewFingerprint;
    /** This replica's own analyzedUpTo. */
    private long analyzed;
    private boolean finished;

    private final TreeMap<AlertKey, Pending> pending = new TreeMap<>();
    /** Keys raised here and decided, kept for dedupe (re-analysis) and for the history a joiner needs. */
    private final TreeMap<AlertKey, Outcome> decided = new TreeMap<>();
    private final Map<String, Member> members = new HashMap<>();
    /** Keys any member announced reported (kept after it leaves: what it reported stays reported). */
    private final TreeSet<AlertKey> reportedByPeers = new TreeSet<>();

    // what the next digests carry
    private final TreeSet<AlertKey> unsentRaised = new TreeSet<>();
    private final TreeSet<AlertKey> unsentReported = new TreeSet<>();
    private boolean historyDue = true;
    /** A history is due but reports decided before it are still being written: wait for them (see FilterSession). */
    private boolean historyHeld;
    private long announced = -1;

    /** Decided here, not yet written. */
    private int reporting;
    private long raisedCount, reportedCount, byPeersCount, duplicateCount, takenOverCount;

    /**
     * @param me      this replica's id
     * @param horizon positions behind this replica's watermark below which keys are forgotten (re-analysis must
     *                not go back further than this; the packet queue's capacity bounds how far a rollback goes)
     */
    public Agreement(String me, long horizon) {
        if (horizon < 1) throw new IllegalArgumentException("horizon must be at least 1, not " + horizon);
        this.me = me;
        this.horizon = horizon;
    }

    public String localId() {
        return me;
    }

    /** The local analyzer raised an alert. */
    public Decisions raise(Alert alert) {
        raisedCount++;
        AlertKey key = alert.key();
        if (pending.containsKey(key) || decided.containsKey(key)) {
            duplicateCount++;
            return Decisions.NONE;
        }
        Pending p = new Pending(alert);
        pending.put(key, p);
        unsentRaised.add(key);
        List<Alert> out = new ArrayList<>(1);
        evaluate(key, p, out);
        return new Decisions(out);
    }

    /** The local analyzer raised every alert below {@code position}. Own decisions do not depend on it. */
    public void analyzedUpTo(long position) {
        if (position > analyzed) analyzed = position;
    }

    /** A new agreed view: members that left hand their alerts back; members that joined need this one's history. */
    public Decisions onView(List<String> newMembers) {
        List<String> sorted = new ArrayList<>(newMembers);
        sorted.sort(null);
        if (sorted.equals(view)) return Decisions.NONE;
        List<String> before = view == null ? List.of() : view;
        for (String m : before) if (!sorted.contains(m)) members.remove(m);
        view = List.copyOf(sorted);
        viewFingerprint = fingerprint(view);
        // every member, old or new, learns under which view this one decides from now on
        startHistory();
        return evaluateAll();
    }

    /** A peer's digest. Digests of one peer must arrive in the order it sent them (TCP). */
    public Decisions onDigest(String peer, AlertDigest digest) {
        List<AlertKey> reported = digest.reported();
        boolean history = !reported.isEmpty() && isMarker(reported.get(0));
        Member m = members.get(peer);
        if (m == null) {
            // a digest in flight from a member that has left (an old incarnation) must not revive it; a history
            // from one not in the view yet (its view was agreed first) starts it
            if (!history && (view == null || !view.contains(peer))) return Decisions.NONE;
            m = new Member();
            members.put(peer, m);
        }
        boolean wasSynced = view != null && m.historyView == viewFingerprint;
        if (history) {
            m.historyView = reported.get(0).sid();
            // a history restarts the count: what came before it may have missed keys (we were not its audience);
            // it re-sends every key the sender remembers raising, so what it no longer says (a new session of a
            // member that stayed in the view, a member back with the same id) must not keep anyone waiting
            m.watermark = digest.analyzedUpTo();
            m.raised.clear();
        } else if (digest.analyzedUpTo() > m.watermark) {
            m.watermark = digest.analyzedUpTo();
        }
        m.raised.addAll(digest.raised());
        for (AlertKey k : reported) if (!isMarker(k)) reportedByPeers.add(k);
        // its first history under our view: it may have missed ours (its session opened after ours went out)
        if (history && !wasSynced && view != null && m.historyView == viewFingerprint) startHistory();
        return evaluateAll();
    }

    /** The stream ended here: announce that nothing more will be raised; pending alerts keep waiting for peers. */
    public void finish() {
        finished = true;
    }

    /** Decides what is still pending without waiting any longer: it is reported here (a duplicate beats a loss). */
    public Decisions forceDecide() {
        List<Alert> out = new ArrayList<>(pending.size());
        for (Pending p : pending.values()) {
            out.add(p.alert);
            decided.put(p.alert.key(), Outcome.REPORTING);
            reporting++;
            takenOverCount++;
        }
        pending.clear();
        return new Decisions(out);
    }

    /** The outputs have the alert: announce it in the next digest. */
    public void reported(AlertKey key) {
        if (decided.put(key, Outcome.REPORTED) == Outcome.REPORTING) reporting--;
        unsentReported.add(key);
        reportedCount++;
    }

    /** A history is due but waits for the reports already decided to be written. */
    public boolean historyHeld() {
        return historyHeld;
    }

    /** The reports decided before the history was due are written: it may go. */
    public void releaseHistory() {
        historyHeld = false;
    }

    /** Alerts decided here whose report is not written yet. */
    public int reportingCount() {
        return reporting;
    }

    public int pendingCount() {
        return pending.size();
    }

    public List<String> view() {
        return view;
    }

    /**
     * The next digest to send, or null when there is nothing new. Call again while it returns digests to send a
     * backlog larger than one digest. Also forgets what lies behind the horizon.
     */
    public AlertDigest nextDigest() {
        if (historyHeld) return null;
        forgetBehindHorizon();
        long wm = finished ? Long.MAX_VALUE : analyzed;
        List<AlertKey> raised = new ArrayList<>();
        Iterator<AlertKey> it = unsentRaised.iterator();
        long claim = wm;
        while (it.hasNext()) {
            AlertKey k = it.next();
            if (k.position() >= wm) break;
            if (raised.size() == MAX_KEYS_PER_DIGEST) {
                // the watermark promises every raised key below it: claim no further than what this digest carries
                claim = k.position();
                break;
            }
            raised.add(k);
            it.remove();
        }
        if (claim < announced) claim = announced;
        List<AlertKey> reported = new ArrayList<>();
        if (historyDue) reported.add(marker(viewFingerprint));
        Iterator<AlertKey> r = unsentReported.iterator();
        while (r.hasNext() && reported.size() < MAX_KEYS_PER_DIGEST) {
            reported.add(r.next());
            r.remove();
        }
        if (raised.isEmpty() && reported.isEmpty() && claim == announced) return null;
        historyDue = false;
        announced = claim;
        return new AlertDigest(claim, raised, reported);
    }

    public AlertFilterCounters counters() {
        return new AlertFilterCounters(raisedCount, reportedCount, byPeersCount, duplicateCount, takenOverCount, pending.size());
    }

    /** Counters of one agreement (the filter sums them over sessions). */
    public record AlertFilterCounters(long raised, long reported, long reportedByPeers, long duplicates, long takenOver, long pending) {
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Resends everything remembered, as if to a member that never heard from this one. */
    private void startHistory() {
        historyDue = true;
        historyHeld = true;
        announced = -1;
        unsentRaised.addAll(pending.keySet());
        unsentRaised.addAll(decided.keySet());
        // everything known reported, by this one or (relayed) by others: a joiner learns it only here
        decided.forEach((k, o) -> {
            if (o != Outcome.REPORTING) unsentReported.add(k);
        });
        unsentReported.addAll(reportedByPeers);
    }

    private Decisions evaluateAll() {
        if (pending.isEmpty()) return Decisions.NONE;
        List<Alert> out = new ArrayList<>();
        // evaluate removes from pending: walk a copy
        for (Map.Entry<AlertKey, Pending> e : new ArrayList<>(pending.entrySet())) evaluate(e.getKey(), e.getValue(), out);
        return out.isEmpty() ? Decisions.NONE : new Decisions(out);
    }

    /** Decides one pending alert if its reporter is known now; adds it to {@code out} if it is this replica. */
    private void evaluate(AlertKey key, Pending p, List<Alert> out) {
        if (reportedByPeers.contains(key)) {
            pending.remove(key);
            decided.put(key, Outcome.BY_PEER);
            byPeersCount++;
            // relayed: members above this one that saw it raised here wait for this one's word on it, and the
            // reporter's own digest may never reach them (it died with the digest in flight)
            unsentReported.add(key);
            return;
        }
        if (view == null) return; // no view agreed yet: who is lower is unknown
        boolean ready = true;
        for (String id : view) {
            if (id.equals(me)) continue;
            boolean lower = id.compareTo(me) < 0;
            Member m = members.get(id);
            if (lower && m != null && m.raised.contains(key)) {
                p.waitedOnReporter = true;
                return; // that member (or one lower still) reports it
            }
            // a member not synced under this view may have reported it under an earlier view without us
            if (m == null || m.historyView != viewFingerprint) ready = false;
            else if (lower && m.watermark <= key.position()) ready = false;
        }
        if (!ready) return;
        pending.remove(key);
        decided.put(key, Outcome.REPORTING);
        reporting++;
        if (p.waitedOnReporter) takenOverCount++;
        out.add(p.alert);
    }

    private void forgetBehindHorizon() {
        long floor = analyzed - horizon;
        if (floor <= 0) return;
        AlertKey bound = new AlertKey(Integer.MIN_VALUE, Long.MIN_VALUE, floor);
        decided.headMap(bound).clear();
        // what peers said is still needed for alerts pending below the floor
        long peerFloor = pending.isEmpty() ? floor : Math.min(floor, pending.firstKey().position());
        AlertKey peerBound = new AlertKey(Integer.MIN_VALUE, Long.MIN_VALUE, peerFloor);
        reportedByPeers.headSet(peerBound).clear();
        for (Member m : members.values()) m.raised.headSet(peerBound).clear();
        // a backlog of keys to announce is never dropped: peers may be waiting on them
    }

    /** The marker key that starts a history sent under the view with this fingerprint. */
    public static AlertKey marker(long viewFingerprint) {
        return new AlertKey(MARKER_GID, viewFingerprint, MARKER_POSITION);
    }

    static boolean isMarker(AlertKey k) {
        return k.gid() == MARKER_GID && k.position() == MARKER_POSITION;
    }

    /** FNV-1a over the sorted member ids: two replicas in the same agreed view compute the same value (never 0). */
    public static long fingerprint(List<String> members) {
        List<String> sorted = new ArrayList<>(members);
        sorted.sort(null);
        long h = 0xcbf29ce484222325L;
        for (String id : sorted) {
            for (byte b : id.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                h ^= b & 0xff;
                h *= 0x100000001b3L;
            }
            h ^= 0xff; // separator: no id byte is 0xff in UTF-8
            h *= 0x100000001b3L;
        }
        return h == 0 ? 1 : h;
    }

    /** For tests and stats: keys remembered in all structures. */
    int remembered() {
        int n = decided.size() + pending.size() + reportedByPeers.size();
        for (Member m : members.values()) n += m.raised.size();
        return n;
    }
}
