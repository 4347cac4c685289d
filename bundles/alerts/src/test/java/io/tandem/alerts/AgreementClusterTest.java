package io.tandem.alerts;

import io.tandem.api.Alert;
import io.tandem.api.AlertFilterSession;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static io.tandem.alerts.Alerts.alert;
import static io.tandem.alerts.TestCluster.await;
import static org.junit.jupiter.api.Assertions.*;

/** Several replicas' sessions wired together in-process: each distinct alert reported once, by the right member. */
class AgreementClusterTest {

    /** What every replica's analyzer raises on positions 0..n-1: two rules, on some packets. */
    static List<Alert> stream(int n) {
        List<Alert> all = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            if (p % 7 == 0) all.add(alert(1000, p));
            if (p % 11 == 3) all.add(alert(2000, p));
        }
        return all;
    }

    /** One replica's analyzer: raises the stream's alerts in order, announcing progress with a little jitter. */
    static Thread analyze(AlertFilterSession s, List<Alert> alerts, long upTo) {
        Thread t = new Thread(() -> {
            long done = 0;
            for (Alert a : alerts) {
                if (a.position() >= upTo) break;
                if (a.position() > done) {
                    s.analyzedUpTo(a.position());
                    done = a.position();
                }
                s.raise(a);
                if (ThreadLocalRandom.current().nextInt(8) == 0) sleep(1);
            }
            s.analyzedUpTo(upTo);
        });
        t.start();
        return t;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void assertEachOnce(TestCluster c, int distinct) {
        Map<String, Integer> n = c.reportCounts();
        assertEquals(distinct, n.size(), "distinct alerts reported");
        n.forEach((id, count) -> assertEquals(1, count, id + " reported " + count + " times"));
    }

    @Test
    void threeMembersRaisingTheSameAlertsReportEachOnceByTheLowest() throws Exception {
        try (TestCluster c = new TestCluster(1, 30, 2000)) {
            for (String id : List.of("r1", "r2", "r3")) c.start(id);
            c.view("r1", "r2", "r3");
            List<Alert> alerts = stream(3000);
            List<Thread> ts = new ArrayList<>();
            for (String id : List.of("r3", "r2", "r1")) ts.add(analyze(c.session(id), alerts, 3000));
            for (Thread t : ts) t.join();
            assertTrue(await(() -> c.reportCounts().size() == alerts.size()
                    && c.stats("r2").pending() == 0 && c.stats("r3").pending() == 0, 10_000), "settled: " + c.stats("r2") + " " + c.stats("r3"));
            Thread.sleep(200); // nothing more comes
            assertEachOnce(c, alerts.size());
            c.reporters().values().forEach(r -> assertEquals("r1", r));
            assertEquals(alerts.size(), c.stats("r1").reported());
            assertEquals(alerts.size(), c.stats("r2").reportedByPeers());
            assertEquals(alerts.size(), c.stats("r3").reportedByPeers());
            assertEquals(0, c.stats("r3").takenOver());
        }
    }

    @Test
    void analertOnlyOneMemberRaisedIsReportedByIt() throws Exception {
        try (TestCluster c = new TestCluster(2, 30, 2000)) {
            for (String id : List.of("a", "b", "c")) c.start(id);
            c.view("a", "b", "c");
            analyze(c.session("a"), List.of(), 100).join();
            analyze(c.session("b"), List.of(), 100).join();
            analyze(c.session("c"), List.of(alert(5, 40)), 100).join();
            assertTrue(await(() -> c.reportCounts().size() == 1, 5_000));
            Thread.sleep(150);
            assertEachOnce(c, 1);
            assertEquals("c", c.reporters().get("1:5@40"));
        }
    }

    @Test
    void theReporterLeavesBeforeReportingAndAnotherTakesOverOnce() throws Exception {
        try (TestCluster c = new TestCluster(3, 20, 2000)) {
            for (String id : List.of("a", "b", "c", "d")) c.start(id);
            c.view("a", "b", "c", "d");
            // a's analyzer lags and missed the alert; b is to report it once a passes 50, and dies before
            analyze(c.session("a"), List.of(), 10).join();
            for (String id : List.of("b", "c", "d")) analyze(c.session(id), List.of(alert(5, 50)), 100).join();
            Thread.sleep(250); // b's digest (raised 5@50) reached c and d
            assertTrue(c.reportCounts().isEmpty(), "a has not passed 50");
            c.crash("b");
            c.view("a", "c", "d");
            analyze(c.session("a"), List.of(), 100).join();
            assertTrue(await(() -> c.reportCounts().size() == 1 && c.stats("d").pending() == 0, 5_000));
            Thread.sleep(150);
            assertEachOnce(c, 1);
            assertEquals("c", c.reporters().get("1:5@50"));
            assertEquals(1, c.stats("c").takenOver());
            assertEquals(1, c.stats("d").reportedByPeers());
        }
    }

    @Test
    void theReporterReportedThenLeftAndNobodyReportsItAgain() throws Exception {
        try (TestCluster c = new TestCluster(4, 20, 2000)) {
            for (String id : List.of("a", "b", "c")) c.start(id);
            c.view("a", "b", "c");
            List<Alert> k = List.of(alert(5, 50));
            analyze(c.session("a"), k, 100).join();
            analyze(c.session("b"), k, 100).join();
            assertTrue(await(() -> c.stats("b").reportedByPeers() == 1, 5_000), "a's report reached b");
            // c lags: it has not raised it yet when a dies; a's report reached it all the same
            assertTrue(await(() -> c.filter("c") != null, 100));
            Thread.sleep(100);
            c.crash("a");
            c.view("b", "c");
            analyze(c.session("c"), k, 100).join();
            Thread.sleep(300);
            assertEachOnce(c, 1);
            assertEquals("a", c.reporters().get("1:5@50"));
            assertEquals(1, c.stats("c").reportedByPeers());
            assertEquals(0, c.stats("b").takenOver() + c.stats("c").takenOver());
        }
    }

    @Test
    void reAnalysisRaisingTheSameAlertsReportsNothingTwice() throws Exception {
        try (TestCluster c = new TestCluster(5, 20, 2000)) {
            for (String id : List.of("a", "b")) c.start(id);
            c.view("a", "b");
            List<Alert> alerts = stream(500);
            analyze(c.session("a"), alerts, 500).join();
            analyze(c.session("b"), alerts, 500).join();
            assertTrue(await(() -> c.stats("b").pending() == 0 && c.reportCounts().size() == alerts.size(), 5_000));
            // a rollback to position 200: both re-analyze from there
            List<Alert> again = alerts.stream().filter(x -> x.position() >= 200).toList();
            analyze(c.session("a"), again, 500).join();
            analyze(c.session("b"), again, 500).join();
            Thread.sleep(200);
            assertEachOnce(c, alerts.size());
            assertEquals(again.size(), c.stats("a").duplicates());
            assertEquals(again.size(), c.stats("b").duplicates());
        }
    }

    @Test
    void aSingleMemberReportsEverything() throws Exception {
        try (TestCluster c = new TestCluster(6, 0, 2000)) {
            c.start("solo");
            c.view("solo");
            List<Alert> alerts = stream(1000);
            analyze(c.session("solo"), alerts, 1000).join();
            assertTrue(await(() -> c.reportCounts().size() == alerts.size(), 2_000));
            assertEachOnce(c, alerts.size());
            assertEquals(alerts.size(), c.filter("solo").recent(Integer.MAX_VALUE).size());
        }
    }

    @Test
    void finishDecidesWithFinalDigestsAndForcesWhatStaysPending() throws Exception {
        try (TestCluster c = new TestCluster(7, 20, 400)) {
            for (String id : List.of("a", "b")) c.start(id);
            c.view("a", "b");
            List<Alert> alerts = stream(300);
            analyze(c.session("a"), alerts, 300).join();
            // b raised them all but only heard of a up to 300 after a's final digest: both finish
            analyze(c.session("b"), alerts, 300).join();
            Thread first = new Thread(() -> c.session("a").finish());
            first.start();
            long t0 = System.nanoTime();
            c.session("b").finish();
            first.join();
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 400, "b did not need its timeout");
            assertEachOnce(c, alerts.size());
            assertEquals(0, c.stats("b").takenOver());

            // a new alert b alone raises while a (alive, lower) is stuck below it: b's finish reports it after its timeout
            c.session("b").raise(alert(9, 1000));
            c.session("b").finish();
            assertEquals(1, c.reportCounts().get("1:9@1000"), "a's final digest (watermark MAX) covers 1000: decided without the timeout");
        }
    }

    @Test
    void finishReportsWhatAStuckPeerLeavesPending() throws Exception {
        try (TestCluster c = new TestCluster(8, 20, 300)) {
            for (String id : List.of("a", "b")) c.start(id);
            c.view("a", "b");
            analyze(c.session("a"), List.of(), 10).join(); // a's analyzer is stuck at 10
            analyze(c.session("b"), List.of(alert(9, 50)), 100).join();
            Thread.sleep(100);
            assertTrue(c.reportCounts().isEmpty());
            c.session("b").finish();
            assertEquals(Map.of("1:9@50", 1), c.reportCounts());
            assertEquals(1, c.stats("b").takenOver());
        }
    }

    @Test
    void aJoinerLearnsWhatWasReportedBeforeItJoined() throws Exception {
        try (TestCluster c = new TestCluster(9, 20, 2000)) {
            for (String id : List.of("a", "b")) c.start(id);
            c.view("a", "b");
            List<Alert> early = List.of(alert(5, 100), alert(6, 120));
            analyze(c.session("a"), early, 130).join();
            analyze(c.session("b"), early, 130).join();
            assertTrue(await(() -> c.reportCounts().size() == 2, 5_000));
            Thread.sleep(100);
            // "0" sorts below "a": the joiner is the lowest id, so without a's history it would report both again
            c.start("0");
            c.view("0", "a", "b");
            analyze(c.session("0"), early, 130).join();
            List<Alert> later = List.of(alert(7, 200));
            for (String id : List.of("0", "a", "b")) analyze(c.session(id), later, 250).join();
            assertTrue(await(() -> c.reportCounts().size() == 3, 5_000));
            Thread.sleep(200);
            assertEachOnce(c, 3);
            assertEquals("0", c.reporters().get("1:7@200"));
            assertEquals(2, c.stats("0").reportedByPeers());
        }
    }

    @Test
    void aCrashMidStreamLosesNothingAndDuplicatesOnlyWhatTheDeadReporterWrote() throws Exception {
        for (long s = 10; s < 13; s++) {
            long seed = s;
            try (TestCluster c = new TestCluster(seed, 25, 3000)) {
                List<String> ids = List.of("a", "b", "c", "d");
                for (String id : ids) c.start(id);
                c.view("a", "b", "c", "d");
                List<Alert> alerts = stream(4000);
                List<Thread> ts = new ArrayList<>();
                for (String id : ids) ts.add(analyze(c.session(id), alerts, 4000));
                Thread.sleep(5 + seed);
                c.crash("a");
                c.view("b", "c", "d");
                for (Thread t : ts) t.join();
                List<Thread> finishing = new ArrayList<>();
                for (String id : List.of("b", "c", "d")) {
                    Thread t = new Thread(() -> c.session(id).finish());
                    t.start();
                    finishing.add(t);
                }
                for (Thread t : finishing) t.join();
                Map<String, Integer> n = c.reportCounts();
                assertEquals(alerts.size(), n.size(), "seed " + seed + ": every alert reported");
                List<String> byA = new ArrayList<>();
                synchronized (c.reports) {
                    for (ReportedAlert r : c.reports) if (r.reporter().equals("a")) byA.add(r.alert().key().toString());
                }
                n.forEach((id, count) -> {
                    if (count > 1) assertTrue(count == 2 && byA.contains(id), "seed " + seed + ": " + id + " reported " + count + " times");
                });
                for (String id : List.of("b", "c", "d")) assertEquals(0, c.stats(id).pending());
            }
        }
    }
}
