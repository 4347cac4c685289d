package io.tandem.analyzer.pipe.internal;

import io.tandem.analyzer.pipe.PipeAnalyzer;
import io.tandem.analyzer.pipe.PipeSettings;
import io.tandem.api.Alert;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.Packet;
import io.tandem.api.StreamInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every suricata-verify test in the shared data, through the pipe: the pcap's packets are fed in order with a gap
 * of {@link #GAP} positions in the middle (as if the feeder had dropped packets there), and
 * <ul>
 *   <li>the alert count per sid is what EXPECTED_ALERTS.tsv says (where the installed Suricata meets the test's
 *       version requirement),</li>
 *   <li>the (sid, position) of every alert is what Suricata reports reading the same file directly (pcap_cnt mapped
 *       through the gap),</li>
 *   <li>the packet at an alert's position has the alert's addresses and ports.</li>
 * </ul>
 */
class SuricataVerifyTest {
    static final long GAP = 1000;

    /** One folder of EXPECTED_ALERTS.tsv: its args, version requirement and expected counts per sid. */
    record Case(String folder, List<String> args, String requires, Map<Long, Integer> expected, Map<Long, Boolean> exact) {
        @Override
        public String toString() {
            return folder;
        }
    }

    static List<Case> cases() throws IOException {
        Map<String, Case> byFolder = new TreeMap<>();
        for (String line : Files.readAllLines(TestData.dataDir().resolve("suricata-verify/EXPECTED_ALERTS.tsv"), StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.startsWith("folder\t") || line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            Case c = byFolder.computeIfAbsent(f[0], k -> new Case(k, PipeSettings.splitWords(f[5]), f[4], new TreeMap<>(), new TreeMap<>()));
            long sid = Long.parseLong(f[6]);
            c.expected().merge(sid, Integer.parseInt(f[7]), Integer::sum);
            // a check with extra match fields counts only the alerts that match them too: at least that many
            c.exact().merge(sid, f[8].isBlank(), Boolean::logicalAnd);
        }
        assertTrue(byFolder.size() >= 15, "expected the shared suricata-verify tests, found " + byFolder.keySet());
        return new ArrayList<>(byFolder.values());
    }

    static long position(int record, int n) {
        return record < n / 2 ? record : record + GAP;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void alertsAndPositionsMatchSuricataOnTheFile(Case c, @TempDir Path tmp) throws Exception {
        String version = TestData.suricataVersion();
        Path folder = TestData.verify(c.folder());
        Path pcapFile = TestData.pcapIn(folder);
        TestData.Pcap pcap = TestData.read(pcapFile);
        List<Packet> packets = pcap.packets();
        int n = packets.size();
        List<DirectRun.Hit> reference = DirectRun.run(pcapFile, folder.resolve("test.rules"), c.args(), tmp.resolve("direct"));

        PipeAnalyzer analyzer = new PipeAnalyzer(PipeSettings.builder().rules(folder.resolve("test.rules")).args(c.args())
                .workDir(tmp.resolve("work")).settle(Duration.ofMillis(200)).build());
        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        if (reference == null) {
            // rules this Suricata cannot load (a keyword of a later version): open says so in one line
            assertFalse(Versions.satisfied(c.requires(), version), c.folder() + ": Suricata " + version + " refused the test it should run");
            IOException e = assertThrows(IOException.class, () -> analyzer.open(new StreamInfo("r1", pcap.linkType(), 0), alerts::add));
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertTrue(e.getMessage().startsWith("suricata (pid "), e.getMessage());
            return;
        }
        try (AnalyzerSession s = analyzer.open(new StreamInfo("r1", pcap.linkType(), 0), alerts::add)) {
            for (int i = 0; i < n; i++) s.analyze(position(i, n), packets.get(i));
            s.finish();
            assertEquals(position(n - 1, n) + 1, s.completed(), "completed after finish");
        }
        assertTrue(analyzer.openSessions().isEmpty());

        // counts per sid against the suricata-verify expectation
        Map<Long, Integer> got = new TreeMap<>();
        for (Alert a : alerts) got.merge(a.sid(), 1, Integer::sum);
        if (Versions.satisfied(c.requires(), version)) {
            for (Map.Entry<Long, Integer> e : c.expected().entrySet()) {
                int count = got.getOrDefault(e.getKey(), 0);
                if (c.exact().get(e.getKey())) {
                    assertEquals(e.getValue(), count, c.folder() + ": alerts for sid " + e.getKey() + " (got " + got + ")");
                } else {
                    assertTrue(count >= e.getValue(), c.folder() + ": alerts for sid " + e.getKey() + " " + count + " < " + e.getValue());
                }
            }
        }

        // positions against Suricata's own pcap_cnt on the file
        List<String> want = reference.stream()
                .map(h -> h.sid() + "@" + (h.pcapCnt() > 0 ? position((int) h.pcapCnt() - 1, n) : position(n - 1, n)))
                .sorted().toList();
        List<String> have = alerts.stream().map(a -> a.sid() + "@" + a.position()).sorted().toList();
        assertEquals(want, have, c.folder() + ": (sid@position) of the alerts");

        // the packet at each position is the alert's packet
        for (Alert a : alerts) {
            assertEquals("suricata", a.analyzer());
            long p = a.position();
            int record = (int) (p < n / 2 ? p : p - GAP);
            Tuple t = Tuple.of(pcap.linkType(), packets.get(record).data());
            assertNotNull(t, c.folder() + ": packet " + record + " not decoded");
            boolean pseudo = reference.stream().anyMatch(h -> h.sid() == a.sid() && h.pcapCnt() == 0);
            if (!pseudo) {
                assertTrue(t.matches(a), c.folder() + ": " + a + " is on packet " + record + " " + t);
                assertEquals(packets.get(record).timestampMicros(), a.timestampMicros(), c.folder() + ": timestamp of " + a);
            }
        }
        System.out.printf("%s: %d packets, %d alerts %s%n", c.folder(), n, alerts.size(),
                alerts.stream().map(a -> a.sid() + "@" + a.position()).collect(Collectors.joining(" ")));
    }
}
