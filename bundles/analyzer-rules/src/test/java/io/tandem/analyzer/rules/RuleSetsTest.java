package io.tandem.analyzer.rules;

import io.tandem.analyzer.rules.internal.PcapReader;
import io.tandem.api.Alert;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The published rule sets load in full — every active rule loaded or skipped with a reason — and run on real traffic. */
class RuleSetsTest {
    private static final Pattern ACTIVE = Pattern.compile("^(alert|drop|reject|rejectsrc|rejectdst|rejectboth|pass|log|sdrop)\\s.*");

    static List<Path> files(String dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(TestData.root().resolve(dir))) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    static long activeRuleLines(List<Path> files) throws IOException {
        long n = 0;
        for (Path f : files) for (String l : Files.readAllLines(f)) if (ACTIVE.matcher(l.strip()).matches()) n++;
        return n;
    }

    static RuleSet load(List<Path> files) throws IOException {
        return RuleSet.load(files, TestData.root().resolve("rules/et-open-rules/classification.config"), Map.of());
    }

    private static void checkReport(LoadReport r, long active, int minLoaded) {
        assertEquals(active, r.rules(), r.summary());
        assertTrue(r.loaded() >= minLoaded, r.summary());
        for (LoadReport.Skip s : r.skipped()) {
            assertFalse(s.reason().isBlank(), s.toString());
            assertTrue(s.line() > 0, s.toString());
        }
    }

    @Test
    void snortCommunityRules() throws IOException {
        List<Path> files = List.of(TestData.root().resolve("rules/snort2-community-rules/community.rules"));
        RuleSet rules = load(files);
        System.out.println("community: " + rules.report().summary());
        checkReport(rules.report(), activeRuleLines(files), 450);
        assertTrue(rules.report().disabled() > 3000, rules.report().summary());
    }

    @Test
    void etOpenRulesAndAlertsOnRealAttacks() throws IOException {
        List<Path> files = files("rules/et-open-rules", ".rules");
        RuleSet rules = load(files);
        System.out.println("ET open: " + rules.report().summary());
        checkReport(rules.report(), activeRuleLines(files), 20_000);

        // real attack captures: the engine runs them without failing, counts malformed frames instead of throwing,
        // and the same capture twice gives exactly the same alerts (replicas must agree)
        List<Alert> all = new ArrayList<>();
        for (Path p : files("pcaps/attacks", "cap")) {
            PcapReader r = TestData.pcap(p);
            List<Alert> a = TestData.run(rules, EngineSettings.DEFAULTS, r.linkType(), r.packets());
            assertEquals(a, TestData.run(rules, EngineSettings.DEFAULTS, r.linkType(), r.packets()), p.toString());
            all.addAll(a);
        }
        assertFalse(all.isEmpty(), "ET open raised no alert on the attack captures");
        System.out.println("ET open on pcaps/attacks: " + all.size() + " alerts, sids " + all.stream().map(Alert::sid).distinct().count());
    }
}
