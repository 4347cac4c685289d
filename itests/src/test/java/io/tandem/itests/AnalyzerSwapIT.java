package io.tandem.itests;

import io.tandem.api.Analyzer;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;

import javax.inject.Inject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

/**
 * The analyzer swapped under traffic. One leader replica alone ({@code boot.peers=0}) replays the iodine DNS tunnel
 * capture (438 packets, 222 of them raising ET sid 2029994) looped {@value #LOOPS} times at {@value #PPS} packets/s;
 * the rules analyzer gets that one ET Open rule, Suricata the same rule as a UDP packet rule (as {@code alert dns} it
 * would depend on where the switch lands: see {@link #config()}). While the traffic runs, the test
 * <ol>
 * <li>stops the tandem-analyzer-rules bundle for a few seconds: packets wait in the feeder's queue (it grows, the
 * status says the feeder waits, the sync thread delivers on, the other bundles stay active), then starts it again:
 * the analyzer resumes where it stopped and catches up;</li>
 * <li>installs feature tandem-analyzer-pipe and switches {@code io.tandem.sync analyzer} to {@code suricata}: a
 * Suricata 7 process takes over from the next packet and its alerts reach the EVE file as analyzer "suricata".</li>
 * </ol>
 * At the end of the stream: no packet dropped by the feeder, every delivered packet analyzed exactly once, every
 * packet of every loop that carries the NULL request alerted exactly once (by rules before the switch position, by
 * suricata from it), each alert id once in the EVE file.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class AnalyzerSwapIT extends TandemTestSupport {
    private static final String PCAP = "/pcaps/attacks/ndpi_dns-tunnel-iodine.pcap";
    private static final int PACKETS = 438;
    private static final int ALERTS = 222;
    private static final int LOOPS = 500;
    private static final int PPS = 8000;
    private static final long SID = 2029994;
    private static final String[] OTHERS = {"tandem-api", "tandem-capture", "tandem-hashdb", "tandem-peer", "tandem-sync", "tandem-alerts", "tandem-shell"};

    @Inject
    private BundleContext context;

    private static final List<String> summary = new ArrayList<>();
    private static volatile boolean suricataFed;

    @Configuration
    public Option[] config() throws IOException {
        String data = System.getProperty("tandem.data");
        Path dir = Path.of("target", "analyzer-swap").toAbsolutePath();
        Files.createDirectories(dir);
        Path rules = dir.resolve("null-dns.rules");
        String rule = etOpenRule(Path.of(data, "rules", "et-open-rules"), "sid:" + SID + ";");
        Files.writeString(rules, rule + "\n");
        // For Suricata the same rule as a packet rule: as "alert dns" Suricata classifies the flow by its first packet,
        // and a switch that lands on a response leaves the (single, long) UDP flow unclassified: no alert at all.
        String header = "alert dns $HOME_NET any -> any any ";
        if (!rule.startsWith(header)) throw new AssertionError("ET rule changed: " + rule);
        Path udpRules = dir.resolve("null-dns-udp.rules");
        Files.writeString(udpRules, "alert udp $HOME_NET any -> any 53 " + rule.substring(header.length()) + "\n");
        List<Option> options = new ArrayList<>(distribution());
        options.addAll(List.of(
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "secret", "analyzer-swap-it-secret"),
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "replica.id", "r1"),
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "listen.port", String.valueOf(freePort())),
                editConfigurationFilePut("etc/io.tandem.hashdb.cfg", "when.full", "block"),
                editConfigurationFilePut("etc/io.tandem.sync.cfg", "boot.peers", "0"),
                editConfigurationFilePut("etc/io.tandem.analyzer.rules.cfg", "rules", rules.toString()),
                editConfigurationFilePut("etc/io.tandem.analyzer.rules.cfg", "classification", data + "/rules/et-open-rules/classification.config"),
                editConfigurationFilePut("etc/io.tandem.analyzer.pipe.cfg", "rules", udpRules.toString()),
                // the source (a_) once the analyzer is registered; looped, at a fixed rate
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "source.loop.packets", String.valueOf(PACKETS * LOOPS)),
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "source.pps", String.valueOf(PPS)),
                editConfigurationFilePut("etc/system.properties", "tandem.it.dir", dir.toString()),
                editConfigurationFilePut("etc/system.properties", "tandem.data", data)));
        return options.toArray(new Option[0]);
    }

    @Test
    public void a_theReplicaAnalyzesTheLoopedCapture() throws Exception {
        waitFor(() -> analyzers("rules") == 1, "the rules analyzer registered");
        setConfig("io.tandem.capture", "source.file", System.getProperty("tandem.data") + PCAP);
        waitFor(() -> status().contains("state      running") && stat("sync.delivered", 0) > 2 * PACKETS, "the replica running");
        waitFor(() -> status().contains("analyzer   rules: analyzing") && stat("alerts.raised", 0) > ALERTS, "alerts from the rules analyzer");
        assertOthersActive(null);
        note("running: " + stat("sync.delivered", -1) + " delivered, " + stat("alerts.raised", -1) + " alerts raised");
    }

    @Test
    public void b_stoppingTheRulesBundleQueuesPacketsAndStartingItCatchesUp() throws Exception {
        assertRunning();
        execAsAdmin("bundle:stop tandem-analyzer-rules");
        long t0 = System.nanoTime();
        assertOthersActive("tandem-analyzer-rules");
        assertEquals("no rules analyzer registered", 0, analyzers("rules"));
        waitFor(() -> status().contains("analyzer   rules (not running): waiting for an analyzer"), "the feeder waiting for its analyzer");
        long analyzed = stat("feeder.analyzed", -1);
        long raised = stat("alerts.raised", -1);
        long delivered = stat("sync.delivered", -1);
        Thread.sleep(3000);
        long queued = stat("feeder.queued", -1);
        assertTrue("the sync thread delivers on: " + delivered + " -> " + stat("sync.delivered", -1), stat("sync.delivered", -1) > delivered + PPS);
        assertTrue("packets wait in the feeder's queue: " + queued, queued > 2 * PPS);
        assertEquals("nothing analyzed while no analyzer runs", analyzed, stat("feeder.analyzed", -1));
        assertEquals("no alert raised while no analyzer runs", raised, stat("alerts.raised", -1));
        assertEquals("the queue had room", 0, stat("feeder.dropped.full", -1));
        assertContains(status(), "state      running");
        assertOthersActive("tandem-analyzer-rules");

        execAsAdmin("bundle:start tandem-analyzer-rules");
        double stopped = (System.nanoTime() - t0) / 1e9;
        assertOthersActive(null);
        waitFor(() -> analyzers("rules") == 1, "the rules analyzer registered again");
        waitFor(() -> status().contains("analyzer   rules: analyzing"), "the feeder analyzing again");
        waitFor(() -> stat("feeder.queued", Long.MAX_VALUE) < PPS / 4, "the analyzer caught up with the queue");
        assertTrue("alerts again", stat("alerts.raised", -1) > raised);
        assertEquals(0, stat("feeder.dropped.full", -1));
        assertEquals(0, stat("feeder.restarts", -1));
        assertRunning();
        note(String.format("rules bundle stopped %.1f s: %d packets queued, caught up after the start; dropped.full 0", stopped, queued));
    }

    @Test
    public void c_switchingToSuricataUnderTraffic() throws Exception {
        assertRunning();
        long view = stat("sync.view", -1);
        Object replicaId = context.getServiceReference(io.tandem.api.ReplicaStatus.class).getProperty("service.id");
        long before = stat("sync.delivered", -1);
        // as docs/operator.md says; JNA is a startup bundle, so org.jline's optional import of it was wired at boot
        // and installing a feature refreshes nothing already running
        execAsAdmin("feature:install tandem-analyzer-pipe");
        assertEquals("tandem-analyzer-pipe active", Bundle.ACTIVE, bundle("tandem-analyzer-pipe").getState());
        waitFor(() -> analyzers("suricata") == 1, "the suricata analyzer registered");
        assertOthersActive(null);
        assertEquals("installing the feature left the replica alone", view, stat("sync.view", -1));
        assertEquals("the same replica (not taken apart and assembled again)", replicaId,
                context.getServiceReference(io.tandem.api.ReplicaStatus.class).getProperty("service.id"));
        assertTrue("the stream goes on", stat("sync.delivered", -1) > before);
        assertRunning();

        setConfig("io.tandem.sync", "analyzer", "suricata");
        long switched = stat("sync.delivered", -1);
        waitFor(() -> status().contains("analyzer   suricata: analyzing"), "the feeder feeding suricata");
        Path eve = eve();
        long deadline = System.currentTimeMillis() + 30_000;
        String sessions = "";
        while (Eve.lines(eve).stream().noneMatch(l -> l.contains("\"analyzer\":\"suricata\""))) {
            String now = pipeSessions();
            if (now.contains("bytes)")) sessions = now;
            if (System.currentTimeMillis() > deadline) fail("no alert from suricata in " + eve + " after 30 s:\n" + status() + "\n" + exec("tandem:stats") + "\nlast seen " + sessions);
            Thread.sleep(100);
        }
        assertTrue("the traffic still runs", status().contains("state      running"));
        assertEquals(0, stat("feeder.dropped.full", -1));
        suricataFed = true;
        note("switched to suricata at about packet " + switched + " of " + PACKETS * LOOPS);
    }

    @Test
    public void d_everyPacketAnalyzedOnceAndEveryAlertReportedOnce() throws Exception {
        assertTrue("c_ switched the replica to suricata", suricataFed);
        waitFor(() -> {
            String s = status();
            return s.contains("state      ended") && s.contains("analyzer   suricata: finished");
        }, "the stream ended and suricata finished it (" + lastStatus + ")");
        long total = (long) PACKETS * LOOPS;
        assertEquals(total, stat("capture.seen", -1));
        assertEquals(total, stat("sync.delivered", -1));
        assertEquals(total, stat("feeder.offered", -1));
        assertEquals("no packet lost to the analyzer while the queue had room", 0, stat("feeder.dropped.full", -1));
        assertEquals("every delivered packet analyzed, once", total, stat("feeder.analyzed", -1));
        assertEquals(total, stat("feeder.completed", -1));
        assertEquals(0, stat("feeder.queued", -1));
        assertEquals(0, stat("feeder.restarts", -1));
        assertEquals(0, stat("alerts.unfiltered", -1));

        Thread.sleep(500);
        List<Map<String, Object>> alerts = Eve.events(eve());
        Eve.assertDistinctAlerts(alerts);
        Matcher m = Pattern.compile("feeder r1: analyzer suricata started at position (\\d+)").matcher(read(karafLog()));
        assertTrue("suricata's start in the log", m.find());
        long switchedAt = Long.parseLong(m.group(1));
        assertFalse("suricata started once", m.find());
        // the packets of the first loop that alert (analyzed by rules before any swap): 222 of the 438
        Set<Long> alerting = new TreeSet<>();
        Map<Long, String> byPosition = new HashMap<>();
        for (Map<String, Object> a : alerts) {
            long p = Eve.number(a, "tandem.position");
            assertEquals(a.toString(), SID, Eve.number(a, "alert.signature_id"));
            assertEquals(a.toString(), "r1", Eve.text(a, "tandem.reporter"));
            String analyzer = Eve.text(a, "tandem.analyzer");
            assertEquals("the analyzer fed position " + p + " (suricata from " + switchedAt + "): " + a, p < switchedAt ? "rules" : "suricata", analyzer);
            byPosition.put(p, analyzer);
            if (p < PACKETS) alerting.add(p);
        }
        assertEquals("alerting packets in the first loop", ALERTS, alerting.size());
        // every alerting packet of every loop alerted, once: no packet was lost to an analyzer, across the bundle's
        // stop/start and the switch; rules raised nothing else; suricata may add an alert of its own pseudo packets
        // (flow timeout), put at the newest packet written (docs/analyzer-pipe.md)
        int rules = 0, suricata = 0, suricataElsewhere = 0;
        for (long p = 0; p < total; p++) {
            String analyzer = byPosition.get(p);
            boolean expected = alerting.contains(p % PACKETS);
            if (expected && analyzer == null) fail("no alert at position " + p + ", packet " + p % PACKETS + " of its loop, which alerts; fed to "
                    + (p < switchedAt ? "rules" : "suricata from " + switchedAt));
            if (analyzer == null) continue;
            if ("rules".equals(analyzer)) {
                rules++;
                if (!expected) fail("rules alerted at position " + p + ", packet " + p % PACKETS + " of its loop, which does not alert");
            } else {
                suricata++;
                if (!expected) suricataElsewhere++;
            }
        }
        assertEquals("every alert at a position of the stream", alerts.size(), rules + suricata);
        assertTrue("suricata reported alerts: " + suricata, suricata > ALERTS);
        assertTrue("suricata's alerts off the alerting packets (pseudo packets): " + suricataElsewhere, suricataElsewhere <= LOOPS / 10);
        assertContains(exec("tandem:alerts -n 1"), alerts.size() + " reported, 0 reported by peers");
        note("end: " + total + " packets analyzed once; " + alerts.size() + " alerts, each once: " + rules + " by rules before position " + switchedAt
                + ", " + suricata + " by suricata from it (" + suricataElsewhere + " on pseudo packets)");
        Files.write(Path.of(System.getProperty("tandem.it.dir"), "summary.txt"), summary);
    }

    // ------------------------------------------------------------------ helpers

    /** The one line of the ET Open rule files containing {@code marker}. */
    private static String etOpenRule(Path dir, String marker) throws IOException {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.rules")) {
            for (Path f : files) {
                for (String l : Files.readAllLines(f, java.nio.charset.StandardCharsets.UTF_8)) {
                    if (l.startsWith("alert ") && l.contains(marker)) found.add(l);
                }
            }
        }
        if (found.size() != 1) throw new AssertionError("one rule with " + marker + " in " + dir + ", not " + found);
        return found.get(0);
    }

    /** What the running Suricata sessions' folders hold (for a failure message). */
    private static String pipeSessions() throws IOException {
        Path dir = Path.of(System.getProperty("karaf.data"), "tandem", "analyzer-pipe");
        StringBuilder b = new StringBuilder("sessions in " + dir + ":\n");
        if (!Files.isDirectory(dir)) return b.append("(none)").toString();
        try (var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!Files.isRegularFile(f)) continue;
                b.append(f).append(" (").append(Files.size(f)).append(" bytes)\n");
                if (f.toString().endsWith(".log") || f.toString().endsWith(".txt") || f.toString().endsWith(".yaml")) b.append(Files.readString(f)).append('\n');
            }
        }
        return b.toString();
    }

    private Path eve() {
        return Path.of(System.getProperty("karaf.data"), "tandem", "alerts.json");
    }

    private int analyzers(String name) {
        try {
            return context.getServiceReferences(Analyzer.class, "(analyzer.name=" + name + ")").size();
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private volatile String lastStatus = "";

    private String status() {
        try {
            lastStatus = exec("tandem:status");
        } catch (Exception e) {
            lastStatus = "(failed: " + e.getMessage() + ")";
        }
        return lastStatus;
    }

    private void assertRunning() {
        String s = status();
        assertTrue("the replica runs (the capture has not ended yet; raise LOOPS if the machine is slow):\n" + s, s.contains("state      running"));
    }

    private void assertOthersActive(String stopped) {
        for (String name : OTHERS) assertEquals(name + " active", Bundle.ACTIVE, bundle(name).getState());
        Bundle rules = bundle("tandem-analyzer-rules");
        assertEquals("tandem-analyzer-rules " + (stopped == null ? "active" : "stopped"), stopped == null ? Bundle.ACTIVE : Bundle.RESOLVED, rules.getState());
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) if (symbolicName.equals(b.getSymbolicName())) return b;
        throw new AssertionError("no bundle " + symbolicName);
    }

    private static void note(String line) {
        summary.add(line);
        System.out.println("AnalyzerSwapIT: " + line);
    }
}
