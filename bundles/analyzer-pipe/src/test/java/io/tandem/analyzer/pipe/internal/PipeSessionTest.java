package io.tandem.analyzer.pipe.internal;

import io.tandem.analyzer.pipe.PipeAnalyzer;
import io.tandem.analyzer.pipe.PipeSettings;
import io.tandem.api.Alert;
import io.tandem.api.AlertKey;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.Packet;
import io.tandem.api.StreamInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions of the real Suricata: death and replay, start failures, the empty stream. */
@Timeout(180)
class PipeSessionTest {
    /** Packet-level rules (no flow state needed), so a restarted Suricata raises exactly what one run would. */
    static final String RULES = """
            alert tcp any any -> any any (msg:"tcp syn"; flags:S; sid:9000001; rev:1;)
            alert udp any any -> any 53 (msg:"dns query"; sid:9000002; rev:1;)
            """;

    @TempDir
    Path tmp;
    static TestData.Pcap capture;
    static Path captureFile;

    @BeforeAll
    static void suricata() {
        TestData.suricataVersion();
        captureFile = TestData.dataDir().resolve("pcaps/ordinary/ndpi_1kxun.pcap");
        capture = TestData.read(captureFile);
    }

    private PipeSettings.Builder settings(Path rules) {
        return PipeSettings.builder().rules(rules).workDir(tmp.resolve("work")).settle(Duration.ofMillis(200));
    }

    private Path rules() throws IOException {
        Path r = tmp.resolve("test.rules");
        Files.writeString(r, RULES);
        return r;
    }

    /** What Suricata raises reading the file directly: sid@position keys (pcap_cnt - 1). */
    private Set<String> reference(Path rules) throws Exception {
        List<DirectRun.Hit> hits = DirectRun.run(captureFile, rules, List.of(), tmp.resolve("direct"));
        assertTrue(hits != null && hits.size() > 20, "reference run: " + hits);
        return hits.stream().map(h -> h.sid() + "@" + (h.pcapCnt() - 1)).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void killedMidStreamThrowsAndANewSessionFromCompletedCarriesOn() throws Exception {
        Path rules = rules();
        Set<String> want = reference(rules);
        List<Packet> packets = capture.packets();
        int half = packets.size() / 2;
        PipeAnalyzer analyzer = new PipeAnalyzer(settings(rules).build());
        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());

        PipeSession first = (PipeSession) analyzer.open(new StreamInfo("r1", capture.linkType(), 0), alerts::add);
        for (int i = 0; i < half; i++) first.analyze(i, packets.get(i));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (first.completed() < half && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(half, first.completed(), "settled while alive");

        ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly(); // SIGKILL
        IOException died = null;
        int i = half;
        deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (died == null && System.nanoTime() < deadline) {
            try {
                first.analyze(i, packets.get(i));
                i++;
            } catch (IOException e) {
                died = e;
            }
        }
        assertTrue(died != null, "analyze went on after kill -9");
        String msg = died.getMessage();
        assertFalse(msg.contains("\n"), msg);
        assertTrue(msg.startsWith("suricata (pid " + first.pid() + ") exited with code 137 (signal 9)"), msg);
        assertTrue(msg.contains("suricata.log"), msg);
        assertThrows(IOException.class, first::finish, "a dead session cannot finish");
        long from = first.completed();
        assertTrue(from >= half && from <= i, "completed " + from);
        Path kept = first.dir();
        first.close();
        assertTrue(Files.exists(kept.resolve("died.txt")), "a died session's folder is kept");

        try (AnalyzerSession second = analyzer.open(new StreamInfo("r1", capture.linkType(), from), alerts::add)) {
            for (long p = from; p < packets.size(); p++) second.analyze(p, packets.get((int) p));
            second.finish();
            assertEquals(packets.size(), second.completed());
        }
        Set<String> have = alerts.stream().map(a -> a.sid() + "@" + a.position()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(want, have, "alerts of both sessions");
    }

    @Test
    void killedBeforeAnythingSettledReplaysAllAndTheDuplicatesHaveTheSameKeys() throws Exception {
        Path rules = rules();
        Set<String> want = reference(rules);
        List<Packet> packets = capture.packets();
        // settle far away and < 2 MiB fed: nothing counts as analyzed, so everything is replayed
        PipeAnalyzer analyzer = new PipeAnalyzer(settings(rules).settle(Duration.ofHours(1)).build());
        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        PipeSession first = (PipeSession) analyzer.open(new StreamInfo("r1", capture.linkType(), 0), alerts::add);
        int fed = 0;
        long bytes = 0;
        while (fed < packets.size() && bytes + packets.get(fed).data().length + 16 < PipeSession.READ_AHEAD_BYTES / 2) {
            bytes += packets.get(fed).data().length + 16;
            first.analyze(fed, packets.get(fed));
            fed++;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (alerts.isEmpty() && System.nanoTime() < deadline) Thread.sleep(20); // Suricata is at work
        assertFalse(alerts.isEmpty(), "alerts arrive while the stream is open");
        assertEquals(0, first.completed());
        ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
        first.close();
        int before = alerts.size();
        try (AnalyzerSession second = analyzer.open(new StreamInfo("r1", capture.linkType(), first.completed()), alerts::add)) {
            for (int p = 0; p < packets.size(); p++) second.analyze(p, packets.get(p));
            second.finish();
        }
        List<AlertKey> keys = alerts.stream().map(Alert::key).toList();
        assertTrue(keys.size() > new TreeSet<>(keys).size(), "replay raised again what the first process had raised (" + before + " before)");
        Set<String> have = alerts.stream().map(a -> a.sid() + "@" + a.position()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(want, have, "deduplicated by key, the alerts are one run's");
    }

    @Test
    void missingProgramIsOneLine() throws Exception {
        PipeAnalyzer a = new PipeAnalyzer(settings(rules()).command("no-such-ids-here -r {fifo} -S {rules}").build());
        IOException e = assertThrows(IOException.class, () -> a.open(new StreamInfo("r1", 1, 0), x -> { }));
        assertEquals("suricata: cannot run no-such-ids-here: No such file or directory", e.getMessage());
    }

    @Test
    void missingRulesFileIsOneLine() {
        PipeAnalyzer a = new PipeAnalyzer(settings(tmp.resolve("nope.rules")).build());
        IOException e = assertThrows(IOException.class, () -> a.open(new StreamInfo("r1", 1, 0), x -> { }));
        assertEquals("suricata: rules file " + tmp.resolve("nope.rules") + " not found", e.getMessage());
    }

    @Test
    void badRulesAreOneLineFromSuricata() throws Exception {
        Path bad = tmp.resolve("bad.rules");
        Files.writeString(bad, "alert tcp any any -> any any (msg:\"x\"; content:\"a\"; no_such_keyword; sid:1;)\n");
        PipeAnalyzer a = new PipeAnalyzer(settings(bad).build());
        IOException e = assertThrows(IOException.class, () -> a.open(new StreamInfo("r1", 1, 0), x -> { }));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().matches("suricata \\(pid \\d+\\) exited with code 1 at start: .*Loading signatures failed.*; log: .*suricata\\.log"), e.getMessage());
    }

    @Test
    void badArgumentsAreOneLine() throws Exception {
        PipeAnalyzer a = new PipeAnalyzer(settings(rules()).args("--no-such-option").build());
        IOException e = assertThrows(IOException.class, () -> a.open(new StreamInfo("r1", 1, 0), x -> { }));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().matches("suricata \\(pid \\d+\\) exited with code \\d+ at start: .*"), e.getMessage());
    }

    @Test
    void startTimeoutEndsTheWaitForAProgramThatNeverOpensItsInput() throws Exception {
        PipeAnalyzer a = new PipeAnalyzer(settings(rules()).command("sh -c \"sleep 60\" {fifo}").startTimeout(Duration.ofSeconds(1)).build());
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> a.open(new StreamInfo("r1", 1, 0), x -> { }));
        assertTrue(e.getMessage().startsWith("suricata did not open its input within 1 s (start.timeout)"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void emptyStreamFinishesAtOnce() throws Exception {
        PipeAnalyzer a = new PipeAnalyzer(settings(rules()).build());
        long t0 = System.nanoTime();
        try (AnalyzerSession s = a.open(new StreamInfo("r1", 1, 42), x -> { })) {
            s.finish();
            assertEquals(42, s.completed());
        }
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(15).toNanos(), "no 60 s hang on a 0-packet stream");
        try (var files = Files.list(tmp.resolve("work"))) {
            assertEquals(0, files.count(), "a clean session removes its folder");
        }
    }

    @Test
    void positionsMustIncrease() throws Exception {
        PipeAnalyzer a = new PipeAnalyzer(settings(rules()).build());
        try (AnalyzerSession s = a.open(new StreamInfo("r1", capture.linkType(), 5), x -> { })) {
            assertThrows(IllegalArgumentException.class, () -> s.analyze(4, capture.packets().get(0)));
            s.analyze(5, capture.packets().get(0));
            assertThrows(IllegalArgumentException.class, () -> s.analyze(5, capture.packets().get(1)));
        }
    }
}
