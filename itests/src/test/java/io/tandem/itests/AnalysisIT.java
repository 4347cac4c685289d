package io.tandem.itests;

import io.tandem.api.AlertFilter;
import io.tandem.api.Analyzer;
import io.tandem.api.ReplicaStatus;
import org.apache.karaf.features.FeaturesService;
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
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

import javax.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

/**
 * Analysis and alerts in the distribution: one leader replica alone ({@code boot.peers=0}) with the embedded rules
 * analyzer loaded with Emerging Threats Open, replaying once, at top speed, a real DNS tunnel capture (iodine, 438
 * packets). Suricata 7.0.10 and the engine both raise 222 alerts on it, all ET sid 2029994 "ET HUNTING Suspicious
 * NULL DNS Request". The capture is configured only once the test has registered its EventAdmin handler, so the
 * handler sees every alert.
 *
 * <p>Proves: the analysis bundles and their DS components are active and publish their services; each alert comes
 * out once in the EVE file (JSON, ids distinct, reporter r1, analyzer rules), on EventAdmin topic
 * {@code tandem/alert} and in {@code tandem:alerts}; every delivered packet is analyzed, none dropped by the
 * feeder; bad values of the analysis pids are refused in one log line and the previous configuration stays.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class AnalysisIT extends TandemTestSupport {
    private static final String PCAP = "/pcaps/attacks/ndpi_dns-tunnel-iodine.pcap";
    private static final int PACKETS = 438;
    private static final int ALERTS = 222;
    private static final long SID = 2029994;
    private static final String MSG = "ET HUNTING Suspicious NULL DNS Request";

    @Inject
    private BundleContext context;
    @Inject
    private FeaturesService features;

    /** Events received on tandem/alert, by alert_id (a second event for one id is counted in {@link #eventRepeats}). */
    private static final Map<String, Event> events = new ConcurrentHashMap<>();
    private static volatile int eventRepeats;
    private static ServiceRegistration<EventHandler> handler;

    @Configuration
    public Option[] config() throws IOException {
        String data = System.getProperty("tandem.data");
        List<Option> options = new ArrayList<>(distribution());
        options.addAll(List.of(
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "secret", "analysis-it-secret"),
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "replica.id", "r1"),
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "listen.port", String.valueOf(freePort())),
                editConfigurationFilePut("etc/io.tandem.hashdb.cfg", "when.full", "block"),
                editConfigurationFilePut("etc/io.tandem.sync.cfg", "boot.peers", "0"),
                editConfigurationFilePut("etc/io.tandem.analyzer.rules.cfg", "rules", data + "/rules/et-open-rules/*.rules"),
                editConfigurationFilePut("etc/io.tandem.analyzer.rules.cfg", "classification", data + "/rules/et-open-rules/classification.config"),
                // no source yet: a_ sets it once the EventAdmin handler listens
                editConfigurationFilePut("etc/system.properties", "tandem.data", data)));
        return options.toArray(new Option[0]);
    }

    @Test
    public void a_analysisBundlesComponentsAndServicesAreActive() throws Exception {
        // Karaf may still be starting the boot features when the probe runs
        for (String b : List.of("tandem-api", "tandem-hashdb", "tandem-capture", "tandem-peer", "tandem-sync", "tandem-analyzer-rules", "tandem-alerts", "tandem-shell")) {
            waitFor(() -> bundle(b).getState() == Bundle.ACTIVE, b + " active");
        }
        for (String f : List.of("tandem", "tandem-analyzer-rules", "tandem-alerts")) {
            assertTrue("feature " + f + " installed", features.isInstalled(features.getFeature(f)));
        }
        assertFalse("tandem-analyzer-pipe is not in the boot features", features.isInstalled(features.getFeature("tandem-analyzer-pipe")));
        // ET Open takes some seconds to load; the Analyzer service appears once it did
        waitFor(() -> analyzer("rules") != null, "an Analyzer service with analyzer.name=rules");
        waitFor(() -> context.getServiceReference(AlertFilter.class) != null, "the AlertFilter service");
        assertEquals("registered by tandem-alerts", "tandem-alerts", context.getServiceReference(AlertFilter.class).getBundle().getSymbolicName());
        assertEquals("registered by tandem-analyzer-rules", "tandem-analyzer-rules", analyzer("rules").getBundle().getSymbolicName());
        Matcher loaded = Pattern.compile("io.tandem.analyzer.rules: (\\d+) rules ready for the next session \\((\\d+) skipped\\)").matcher(read(karafLog()));
        assertTrue("the rules line in the log", loaded.find());
        assertTrue("ET Open: more than 20,000 rules loaded, not " + loaded.group(1), Integer.parseInt(loaded.group(1)) > 20_000);

        ServiceComponentRuntime scr = context.getService(context.getServiceReference(ServiceComponentRuntime.class));
        // no capture source yet, so no CaptureFactory: the replica's conductor waits for it
        waitFor(() -> "unsatisfied reference".equals(componentState(scr, "tandem-sync", "io.tandem.sync.internal.osgi.ReplicaComponent")),
                "ReplicaComponent waiting for its CaptureFactory");
        Map<String, String> states = new HashMap<>();
        for (Bundle b : context.getBundles()) {
            if (!b.getSymbolicName().startsWith("tandem-")) continue;
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(b)) {
                Collection<ComponentConfigurationDTO> cs = scr.getComponentConfigurationDTOs(d);
                states.put(d.name, cs.isEmpty() ? "no configuration" : cs.stream().map(c -> state(c.state)).reduce((x, y) -> x + "," + y).get());
            }
        }
        for (String c : List.of("io.tandem.analyzer.rules.internal.osgi.RulesComponent", "io.tandem.alerts.internal.osgi.AlertFilterComponent")) {
            assertEquals(c + " in " + states, "active", states.get(c));
        }
        assertEquals("ReplicaComponent in " + states, "unsatisfied reference", states.get("io.tandem.sync.internal.osgi.ReplicaComponent"));

        // the handler listens first; then the capture is set and the replica starts
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(EventConstants.EVENT_TOPIC, "tandem/alert");
        handler = context.registerService(EventHandler.class, e -> {
            if (events.putIfAbsent(String.valueOf(e.getProperty("alert_id")), e) != null) eventRepeats++;
        }, p);
        waitFor(() -> {
            try {
                return exec("tandem:status").contains("no capture (io.tandem.capture: is source.file set?)");
            } catch (Exception e) {
                return false; // the shell's commands not registered yet
            }
        }, "tandem:status saying there is no capture yet");
        setConfig("io.tandem.capture", "source.file", System.getProperty("tandem.data") + PCAP);
        waitFor(() -> "active".equals(componentState(scr, "tandem-sync", "io.tandem.sync.internal.osgi.ReplicaComponent")), "ReplicaComponent active");
        waitFor(() -> context.getServiceReference(ReplicaStatus.class) != null, "the replica assembled");
    }

    @Test
    public void b_eachAlertOnceInTheEveFileAndOnEventAdmin() throws Exception {
        awaitFinished();
        Path eve = Path.of(System.getProperty("karaf.data"), "tandem", "alerts.json");
        waitFor(() -> Eve.lines(eve).size() >= ALERTS, ALERTS + " lines in " + eve);
        Thread.sleep(500); // nothing more may come
        List<Map<String, Object>> alerts = Eve.events(eve);
        assertEquals("alerts in " + eve, ALERTS, alerts.size());
        Set<String> ids = Eve.assertDistinctAlerts(alerts);
        Set<Long> positions = new HashSet<>();
        for (Map<String, Object> a : alerts) {
            assertEquals(a.toString(), SID, Eve.number(a, "alert.signature_id"));
            assertEquals(a.toString(), 1, Eve.number(a, "alert.gid"));
            assertEquals(a.toString(), MSG, Eve.text(a, "alert.signature"));
            assertEquals("classification.config's description of misc-activity", "Misc activity", Eve.text(a, "alert.category"));
            assertEquals(a.toString(), "UDP", Eve.text(a, "proto"));
            assertEquals("the DNS server", 53, Eve.number(a, "dest_port"));
            assertEquals(a.toString(), "r1", Eve.text(a, "tandem.reporter"));
            assertEquals(a.toString(), "rules", Eve.text(a, "tandem.analyzer"));
            long position = Eve.number(a, "tandem.position");
            assertTrue("position " + position + " in the stream of " + PACKETS, position >= 0 && position < PACKETS);
            positions.add(position);
            assertTrue(Eve.text(a, "timestamp"), Eve.text(a, "timestamp").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+0000"));
        }
        assertEquals("one alert per alerting packet", ALERTS, positions.size());

        waitFor(() -> events.size() >= ALERTS, ALERTS + " events on tandem/alert (have " + events.size() + ")");
        Thread.sleep(500);
        assertEquals("the same alerts on EventAdmin as in the file", ids, events.keySet());
        assertEquals("no alert posted twice", 0, eventRepeats);
        Event e = events.values().iterator().next();
        assertEquals(SID, ((Number) e.getProperty("signature_id")).longValue());
        assertEquals("r1", e.getProperty("reporter"));
        assertEquals("rules", e.getProperty("analyzer"));
        assertEquals(MSG, e.getProperty("signature"));
        assertEquals(53, ((Number) e.getProperty("dest_port")).intValue());
        handler.unregister();
    }

    @Test
    public void c_tandemAlertsListsTheRecentAlerts() throws Exception {
        awaitFinished();
        Path eve = Path.of(System.getProperty("karaf.data"), "tandem", "alerts.json");
        String out = exec("tandem:alerts");
        List<String> lines = List.of(out.split("\n"));
        assertEquals("header, 20 alerts, footer:\n" + out, 22, lines.size());
        assertTrue(lines.get(0), lines.get(0).matches("time \\(UTC\\)\\s+gid:sid:rev\\s+msg\\s+src -> dst\\s+position\\s+reporter"));
        for (String l : lines.subList(1, 21)) {
            assertTrue(l, l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\s+1:" + SID + ":1\\s+" + MSG
                    + "\\s+[0-9.]+:\\d+ -> [0-9.]+:53 UDP\\s+\\d+\\s+r1"));
        }
        assertEquals("20 shown; this replica: " + ALERTS + " reported, 0 reported by peers, " + ALERTS + " raised (0 duplicates), 0 taken over, 0 pending",
                lines.get(21));
        // the most recent, oldest first: the file's last three
        List<String> file = Eve.lines(eve);
        String three = exec("tandem:alerts -n 3");
        assertEquals(three, 5, three.split("\n").length);
        for (int i = 0; i < 3; i++) {
            long position = Eve.number(Json.object(file.get(file.size() - 3 + i)), "tandem.position");
            assertTrue(three, three.split("\n")[1 + i].matches(".*\\s" + position + "\\s+r1"));
        }
        // --json: the file's lines, as written
        assertEquals(String.join("\n", file) + "\n", exec("tandem:alerts --json -n " + ALERTS));
        assertEquals(String.join("\n", file.subList(file.size() - 5, file.size())) + "\n", exec("tandem:alerts --count 5 --json"));
        assertFails("tandem:alerts --bogus", "Undefined option: --bogus");
        assertFails("tandem:alerts -n 0", "--count must be at least 1, not 0");
    }

    @Test
    public void d_everyDeliveredPacketWasAnalyzed() throws Exception {
        awaitFinished();
        String stats = exec("tandem:stats");
        for (String c : List.of("feeder.offered", "feeder.dropped.full", "feeder.analyzed", "feeder.restarts", "feeder.completed", "feeder.queued",
                "alerts.raised", "alerts.unfiltered")) {
            assertTrue(c + " in tandem:stats:\n" + stats, Pattern.compile("(?m)^" + Pattern.quote(c) + "\\s+\\d+$").matcher(stats).find());
        }
        assertEquals("the whole capture", PACKETS, stat("capture.seen", -1));
        assertEquals(PACKETS, stat("sync.delivered", -1));
        assertEquals("every delivered packet offered to the feeder", PACKETS, stat("feeder.offered", -1));
        assertEquals("every delivered packet analyzed", stat("sync.delivered", -1), stat("feeder.analyzed", -2));
        assertEquals(0, stat("feeder.dropped.full", -1));
        assertEquals(0, stat("feeder.restarts", -1));
        assertEquals(0, stat("feeder.queued", -1));
        assertEquals("completed up to the end of the stream", PACKETS, stat("feeder.completed", -1));
        assertEquals(ALERTS, stat("alerts.raised", -1));
        assertEquals(0, stat("alerts.unfiltered", -1));
        String status = exec("tandem:status");
        assertContains(status, "state      ended");
        assertContains(status, "analyzer   rules: finished");
    }

    @Test
    public void e_badValuesAreRefusedInOneLineAndThePreviousConfigurationStays() throws Exception {
        awaitFinished();
        Path log = karafLog();
        long analyzerId = (Long) analyzer("rules").getProperty("service.id");
        long filterId = (Long) context.getServiceReference(AlertFilter.class).getProperty("service.id");
        int rulesLoaded = count(read(log), "rules ready for the next session");

        setConfig("io.tandem.analyzer.rules", "flow.max", "-1");
        awaitLogLine(log, "io.tandem.analyzer.rules: flow.max=-1: must be a whole number 1..10000000; keeping the rules loaded before");
        setConfig("io.tandem.alerts", "syslog.port", "0");
        awaitLogLine(log, "io.tandem.alerts: syslog.port=0: must be a whole number 1..65535; keeping eve.file=");
        setConfig("io.tandem.sync", "analyzer", "bad name!");
        awaitLogLine(log, "io.tandem.sync: analyzer=bad name!: must be an analyzer name (letters, digits, . _ -); keeping the running values");

        assertEquals("the rules analyzer still published, not replaced", analyzerId, (long) (Long) analyzer("rules").getProperty("service.id"));
        assertEquals("no rule set loaded again", rulesLoaded, count(read(log), "rules ready for the next session"));
        assertEquals("the alert filter still published, not replaced", filterId, (long) (Long) context.getServiceReference(AlertFilter.class).getProperty("service.id"));
        assertContains(exec("tandem:alerts -n 1"), ALERTS + " reported");
        assertContains(exec("tandem:status"), "analyzer   rules: finished");
        for (String b : List.of("tandem-analyzer-rules", "tandem-alerts", "tandem-sync")) assertEquals(b + " active", Bundle.ACTIVE, bundle(b).getState());
        for (String l : read(log).split("\n")) {
            if (l.contains("flow.max=-1") || l.contains("syslog.port=0") || l.contains("analyzer=bad name!")) {
                assertTrue("an ERROR line: " + l, l.contains("ERROR"));
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Waits until the replica aligned the whole capture and the analyzer finished it. */
    private void awaitFinished() throws Exception {
        assertNotNull("a_ registered the handler and set the capture", handler);
        waitFor(() -> {
            ServiceReference<ReplicaStatus> r = context.getServiceReference(ReplicaStatus.class);
            if (r == null) return false;
            try {
                String s = exec("tandem:status");
                return s.contains("state      ended") && s.contains("analyzer   rules: finished");
            } catch (Exception e) {
                return false;
            }
        }, "the replica ended and its analyzer finished");
    }

    private String componentState(ServiceComponentRuntime scr, String bundle, String component) {
        ComponentDescriptionDTO d = scr.getComponentDescriptionDTO(bundle(bundle), component);
        if (d == null) return "no component";
        Collection<ComponentConfigurationDTO> cs = scr.getComponentConfigurationDTOs(d);
        return cs.size() == 1 ? state(cs.iterator().next().state) : cs.size() + " configurations";
    }

    private ServiceReference<Analyzer> analyzer(String name) {
        try {
            Collection<ServiceReference<Analyzer>> refs = context.getServiceReferences(Analyzer.class, "(analyzer.name=" + name + ")");
            return refs.isEmpty() ? null : refs.iterator().next();
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) if (symbolicName.equals(b.getSymbolicName())) return b;
        throw new AssertionError("no bundle " + symbolicName);
    }

    private static void awaitLogLine(Path log, String line) throws InterruptedException {
        waitFor(() -> read(log).contains(line), "'" + line + "' in " + log);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
        return n;
    }

    private static String state(int s) {
        switch (s) {
            case ComponentConfigurationDTO.ACTIVE:
                return "active";
            case ComponentConfigurationDTO.SATISFIED:
                return "satisfied";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE:
                return "unsatisfied reference";
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION:
                return "unsatisfied configuration";
            default:
                return "state " + s;
        }
    }
}
