package io.tandem.alerts.internal;

import io.tandem.api.Alert;
import io.tandem.api.AlertDigest;
import io.tandem.api.AlertKey;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.tandem.alerts.Alerts.alert;
import static org.junit.jupiter.api.Assertions.*;

/** The agreement of one replica, driven call by call with hand-made peer digests. */
class AgreementTest {
    static final AlertKey K = new AlertKey(1, 7, 50);

    /** A history sent under {@code view}. */
    static AlertDigest history(List<String> view, long watermark, List<AlertKey> raised, List<AlertKey> reported) {
        List<AlertKey> r = new ArrayList<>();
        r.add(Agreement.marker(Agreement.fingerprint(view)));
        r.addAll(reported);
        return new AlertDigest(watermark, raised, r);
    }

    static AlertDigest digest(long watermark, List<AlertKey> raised, List<AlertKey> reported) {
        return new AlertDigest(watermark, raised, reported);
    }

    /** Writes the decided alerts (as the session's thread does) and returns them. */
    static List<Alert> write(Agreement a, Agreement.Decisions d) {
        for (Alert x : d.toReport()) a.reported(x.key());
        return d.toReport();
    }

    /** The next digest once the writes before a history are done (the session's barrier). */
    static AlertDigest next(Agreement a) {
        a.releaseHistory();
        return a.nextDigest();
    }

    @Test
    void singleMemberReportsAtOnce() {
        Agreement a = new Agreement("r1", 1000);
        a.onView(List.of("r1"));
        assertEquals(List.of(alert(7, 5)), write(a, a.raise(alert(7, 5))));
        assertEquals(1, a.counters().reported());
        assertEquals(0, a.counters().pending());
    }

    @Test
    void waitsForAView() {
        Agreement a = new Agreement("r1", 1000);
        assertTrue(a.raise(alert(7, 5)).toReport().isEmpty());
        assertEquals(1, a.pendingCount());
        assertEquals(1, a.onView(List.of("r1")).toReport().size());
    }

    @Test
    void lowerMemberThatPassedWithoutRaisingLeavesItHere() {
        List<String> v = List.of("a", "b");
        Agreement b = new Agreement("b", 1000);
        b.onView(v);
        assertTrue(b.raise(alert(7, 50)).toReport().isEmpty());
        assertTrue(b.onDigest("a", history(v, 50, List.of(), List.of())).toReport().isEmpty(), "watermark 50 does not pass position 50");
        assertEquals(1, b.onDigest("a", digest(51, List.of(), List.of())).toReport().size());
        assertEquals(0, b.counters().takenOver());
    }

    @Test
    void aMemberIsTrustedOnlyAfterItsHistoryUnderTheSameView() {
        List<String> v = List.of("a", "b");
        Agreement b = new Agreement("b", 1000);
        b.onView(v);
        b.raise(alert(7, 50));
        assertTrue(b.onDigest("a", digest(100, List.of(), List.of())).toReport().isEmpty(), "no history yet");
        assertTrue(b.onDigest("a", history(List.of("a"), 100, List.of(), List.of())).toReport().isEmpty(), "a history under another view");
        assertEquals(1, b.onDigest("a", history(v, 100, List.of(), List.of())).toReport().size());
    }

    @Test
    void evenTheLowestWaitsForHigherMembersHistories() {
        // a higher member may have reported it under a view without this one (this one just joined)
        List<String> v = List.of("a", "b");
        Agreement a = new Agreement("a", 1000);
        a.onView(v);
        assertTrue(a.raise(alert(7, 50)).toReport().isEmpty());
        assertTrue(a.onDigest("b", history(v, 10, List.of(K), List.of(K))).toReport().isEmpty());
        assertEquals(1, a.counters().reportedByPeers());
        assertEquals(List.of(alert(8, 50)), a.raise(alert(8, 50)).toReport());
    }

    @Test
    void lowerRaiserReportsAndThisOneDrops() {
        List<String> v = List.of("a", "b");
        Agreement b = new Agreement("b", 1000);
        b.onView(v);
        b.raise(alert(7, 50));
        assertTrue(b.onDigest("a", history(v, 100, List.of(K), List.of())).toReport().isEmpty());
        assertEquals(1, b.pendingCount());
        assertTrue(b.onDigest("a", digest(120, List.of(), List.of(K))).toReport().isEmpty());
        assertEquals(0, b.pendingCount());
        assertEquals(1, b.counters().reportedByPeers());
    }

    @Test
    void aNewSessionOfALowerMemberInTheSameViewNoLongerKeepsThisOneWaiting() {
        // a's alert filter bundle is swapped: its new session, in the same view, sends a history without K
        List<String> v = List.of("a", "b");
        Agreement b = new Agreement("b", 1000);
        b.onView(v);
        b.raise(alert(7, 50));
        assertTrue(b.onDigest("a", history(v, 100, List.of(K), List.of())).toReport().isEmpty(), "a raised K: a reports it");
        List<Alert> r = write(b, b.onDigest("a", history(v, 120, List.of(), List.of())));
        assertEquals(List.of(alert(7, 50)), r, "a's new session does not hold K: b reports it rather than wait forever");
        assertEquals(0, b.pendingCount());
    }

    @Test
    void reportedByAPeerBeforeRaisedHereIsDroppedOnRaise() {
        List<String> v = List.of("a", "b", "c");
        Agreement c = new Agreement("c", 1000);
        c.onView(v);
        c.onDigest("a", history(v, 200, List.of(K), List.of(K)));
        c.onDigest("b", history(v, 200, List.of(K), List.of()));
        assertTrue(c.raise(alert(7, 50)).toReport().isEmpty());
        assertEquals(1, c.counters().reportedByPeers());
    }

    @Test
    void reporterLeavesBeforeReportingAndThisOneTakesOver() {
        List<String> v = List.of("a", "b", "c");
        Agreement c = new Agreement("c", 1000);
        c.onView(v);
        c.onDigest("a", history(v, 200, List.of(), List.of()));
        c.onDigest("b", history(v, 100, List.of(K), List.of()));
        assertTrue(c.raise(alert(7, 50)).toReport().isEmpty());
        List<String> v2 = List.of("a", "c");
        assertTrue(c.onView(v2).toReport().isEmpty(), "a has not told yet that it decides in the new view");
        List<Alert> r = write(c, c.onDigest("a", history(v2, 200, List.of(), List.of())));
        assertEquals(List.of(alert(7, 50)), r);
        assertEquals(1, c.counters().takenOver());
    }

    @Test
    void reporterReportedThenLeftIsNotReportedAgain() {
        List<String> v = List.of("b", "c");
        Agreement c = new Agreement("c", 1000);
        c.onView(v);
        c.onDigest("b", history(v, 100, List.of(K), List.of(K)));
        c.onView(List.of("c"));
        assertTrue(c.raise(alert(7, 50)).toReport().isEmpty(), "b reported it before it left");
        assertEquals(1, c.counters().reportedByPeers());
    }

    @Test
    void aDigestFromALeftMemberDoesNotReviveIt() {
        Agreement c = new Agreement("c", 1000);
        c.onView(List.of("b", "c"));
        c.onDigest("b", history(List.of("b", "c"), 10, List.of(), List.of()));
        c.onView(List.of("c"));
        c.onDigest("b", digest(20, List.of(K), List.of()));
        List<String> v3 = List.of("b", "c");
        c.onView(v3);
        c.raise(alert(7, 50));
        // b is back (a new incarnation): the stale raised key was not its
        assertEquals(1, c.onDigest("b", history(v3, 60, List.of(), List.of())).toReport().size());
    }

    @Test
    void raisedAgainIsADuplicate() {
        Agreement a = new Agreement("a", 1000);
        a.onView(List.of("a"));
        write(a, a.raise(alert(7, 5)));
        a.analyzedUpTo(10);
        assertTrue(a.raise(alert(7, 5)).toReport().isEmpty());
        assertEquals(1, a.counters().duplicates());
        assertEquals(2, a.counters().raised());
        assertEquals(1, a.counters().reported());
    }

    @Test
    void digestsCarryWatermarkRaisedBelowItAndReported() {
        List<String> v = List.of("a", "b");
        Agreement b = new Agreement("b", 1000);
        b.onView(v);
        assertNull(b.nextDigest(), "the history waits for the writes decided before it");
        AlertDigest first = next(b);
        assertEquals(List.of(Agreement.marker(Agreement.fingerprint(v))), first.reported(), "the first digest starts the history");
        b.raise(alert(7, 5));
        b.raise(alert(8, 12));
        b.analyzedUpTo(10);
        AlertDigest d = b.nextDigest();
        assertEquals(10, d.analyzedUpTo());
        assertEquals(List.of(new AlertKey(1, 7, 5)), d.raised(), "12 is not below the watermark yet");
        assertNull(b.nextDigest(), "nothing new");
        write(b, b.onDigest("a", history(v, 20, List.of(), List.of())));
        // a's first history under this view: b answers with its own (a may have missed b's)
        AlertDigest h = next(b);
        assertTrue(Agreement.isMarker(h.reported().get(0)));
        assertEquals(List.of(new AlertKey(1, 7, 5)), h.raised());
        assertTrue(h.reported().containsAll(List.of(new AlertKey(1, 7, 5), new AlertKey(1, 8, 12))));
        b.onDigest("a", history(v, 20, List.of(), List.of()));
        assertFalse(b.historyHeld(), "a second history from a synced member is not answered");
        b.analyzedUpTo(20);
        write(b, b.raise(alert(9, 15)));
        AlertDigest next = b.nextDigest();
        assertEquals(20, next.analyzedUpTo());
        assertEquals(List.of(new AlertKey(1, 8, 12), new AlertKey(1, 9, 15)), next.raised());
        assertEquals(List.of(new AlertKey(1, 9, 15)), next.reported());
    }

    @Test
    void aJoinerGetsTheHistory() {
        Agreement a = new Agreement("a", 1000);
        a.onView(List.of("a"));
        write(a, a.raise(alert(7, 5)));
        a.analyzedUpTo(10);
        next(a);
        assertNull(a.nextDigest());
        List<String> v = List.of("a", "j");
        a.onView(v);
        AlertDigest h = next(a);
        assertEquals(List.of(Agreement.marker(Agreement.fingerprint(v)), new AlertKey(1, 7, 5)), h.reported());
        assertEquals(List.of(new AlertKey(1, 7, 5)), h.raised());
        assertEquals(10, h.analyzedUpTo());
    }

    @Test
    void aLargeBacklogIsSplitWithAnHonestWatermark() {
        Agreement a = new Agreement("a", 10_000_000);
        a.onView(List.of("a"));
        int n = Agreement.MAX_KEYS_PER_DIGEST + 10;
        for (int i = 0; i < n; i++) write(a, a.raise(alert(1, i)));
        a.analyzedUpTo(n);
        AlertDigest first = next(a);
        assertEquals(Agreement.MAX_KEYS_PER_DIGEST, first.raised().size());
        assertEquals(Agreement.MAX_KEYS_PER_DIGEST, first.analyzedUpTo(), "claims no further than the keys it carries");
        AlertDigest second = a.nextDigest();
        assertEquals(10, second.raised().size());
        assertEquals(n, second.analyzedUpTo());
    }

    @Test
    void keysBehindTheHorizonAreForgotten() {
        Agreement a = new Agreement("a", 100);
        a.onView(List.of("a"));
        a.releaseHistory();
        for (int i = 0; i < 1000; i++) {
            write(a, a.raise(alert(1, i)));
            a.analyzedUpTo(i + 1);
            a.nextDigest();
        }
        assertTrue(a.remembered() <= 101, "remembered " + a.remembered());
        // within the horizon: still a duplicate
        assertTrue(a.raise(alert(1, 950)).toReport().isEmpty());
        assertEquals(1, a.counters().duplicates());
    }

    @Test
    void finishForcesWhatPeersLeftUndecided() {
        List<String> v = List.of("a", "b");
        Agreement b = new Agreement("b", 1000);
        b.onView(v);
        b.onDigest("a", history(v, 10, List.of(), List.of()));
        b.raise(alert(7, 50));
        b.finish();
        AlertDigest last = next(b);
        assertEquals(Long.MAX_VALUE, last.analyzedUpTo());
        assertEquals(List.of(alert(7, 50)), b.forceDecide().toReport());
        assertEquals(1, b.counters().takenOver());
    }

    @Test
    void aFinishedPeersFinalDigestDecides() {
        List<String> v = List.of("a", "b");
        Agreement b = new Agreement("b", 1000);
        b.onView(v);
        b.onDigest("a", history(v, 10, List.of(), List.of()));
        b.raise(alert(7, 50));
        assertEquals(1, b.onDigest("a", digest(Long.MAX_VALUE, List.of(), List.of())).toReport().size());
    }

    @Test
    void fingerprintsDependOnMembersOnly() {
        assertEquals(Agreement.fingerprint(List.of("b", "a")), Agreement.fingerprint(List.of("a", "b")));
        assertNotEquals(Agreement.fingerprint(List.of("ab")), Agreement.fingerprint(List.of("a", "b")));
    }
}
