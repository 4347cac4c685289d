package io.tandem.analyzer.rules;

import io.tandem.analyzer.rules.internal.PcapReader;
import io.tandem.api.Alert;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Detection must not change when the engine is made faster: every alert (position, gid:sid:rev, endpoints), in the
 * order raised, of ET Open (stream pickup on and off) and the Snort community rules (also both with HOME_NET and
 * EXTERNAL_NET any) over every capture of pcaps/attacks and pcaps/ordinary equals the recorded list in golden-alerts.txt. Re-record (only on purpose, when
 * detection is meant to change) with {@code -Dtandem.golden.record=true}.
 */
class GoldenAlertsTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden-alerts.txt");

    @Test
    void alertsOnAllCapturesAreUnchanged() throws IOException {
        List<Path> pcaps = new ArrayList<>(RuleSetsTest.files("pcaps/attacks", "cap"));
        pcaps.addAll(RuleSetsTest.files("pcaps/ordinary", "cap"));
        List<PcapReader> captures = pcaps.stream().map(TestData::pcap).toList();
        List<String> lines = new ArrayList<>();
        RuleSet community = RuleSetsTest.load(List.of(TestData.root().resolve("rules/snort2-community-rules/community.rules")));
        record("community", community, EngineSettings.DEFAULTS, pcaps, captures, lines);
        RuleSet et = RuleSetsTest.load(RuleSetsTest.files("rules/et-open-rules", ".rules"));
        record("et-open", et, EngineSettings.DEFAULTS, pcaps, captures, lines);
        record("et-open no-midstream", et, EngineSettings.DEFAULTS.withMidstream(false), pcaps, captures, lines);
        // every address on both sides: far more rules get past their header and are evaluated, so more to compare
        Map<String, String> anyNet = Map.of("HOME_NET", "any", "EXTERNAL_NET", "any");
        Path classification = TestData.root().resolve("rules/et-open-rules/classification.config");
        RuleSet communityAny = RuleSet.load(List.of(TestData.root().resolve("rules/snort2-community-rules/community.rules")), classification, anyNet);
        record("community any-net", communityAny, EngineSettings.DEFAULTS, pcaps, captures, lines);
        RuleSet etAny = RuleSet.load(RuleSetsTest.files("rules/et-open-rules", ".rules"), classification, anyNet);
        record("et-open any-net", etAny, EngineSettings.DEFAULTS, pcaps, captures, lines);
        String got = String.join("\n", lines) + "\n";
        if (Boolean.getBoolean("tandem.golden.record")) {
            Files.writeString(GOLDEN, got, StandardCharsets.UTF_8);
            System.out.println("recorded " + GOLDEN.toAbsolutePath());
            return;
        }
        String want = Files.readString(GOLDEN, StandardCharsets.UTF_8);
        assertEquals(want, got, "alerts changed against " + GOLDEN);
    }

    private static void record(String name, RuleSet rules, EngineSettings settings, List<Path> pcaps, List<PcapReader> captures, List<String> lines) {
        for (int i = 0; i < pcaps.size(); i++) {
            PcapReader r = captures.get(i);
            List<Alert> alerts = TestData.run(rules, settings, r.linkType(), r.packets());
            lines.add("## " + name + " " + pcaps.get(i).getFileName() + " " + alerts.size());
            for (Alert a : alerts) {
                lines.add(a.position() + " " + a.gid() + ":" + a.sid() + ":" + a.rev() + " " + a.proto() + " " + a.srcIp() + ":" + a.srcPort()
                        + " -> " + a.destIp() + ":" + a.destPort());
            }
        }
    }
}
