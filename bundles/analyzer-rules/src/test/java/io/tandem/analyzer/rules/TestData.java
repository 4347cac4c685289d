package io.tandem.analyzer.rules;

import io.tandem.analyzer.rules.internal.PcapReader;
import io.tandem.api.Alert;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.Packet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The shared real data (captures, rule sets, suricata-verify) and a helper to run rules over a capture. */
final class TestData {
    private TestData() {
    }

    /** System property tandem.data (set by the parent pom), else the nearest shared/data above the working folder. */
    static Path root() {
        String prop = System.getProperty("tandem.data");
        if (prop != null && Files.isDirectory(Path.of(prop))) return Path.of(prop);
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("shared/data"))) return dir.resolve("shared/data");
        }
        throw new IllegalStateException("no shared/data found: set -Dtandem.data");
    }

    static PcapReader pcap(Path p) {
        try {
            return PcapReader.read(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Alert> run(RuleSet rules, EngineSettings settings, int linkType, List<Packet> packets) {
        List<Alert> alerts = new ArrayList<>();
        try (AnalyzerSession s = new RulesAnalyzer(rules, settings).open(linkType, alerts::add)) {
            long pos = 0;
            for (Packet p : packets) s.analyze(pos++, p);
            s.finish();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return alerts;
    }

    static List<Alert> run(String rulesText, Path pcap) {
        RuleSet rules = RuleSet.parse("test.rules", rulesText, Map.of());
        if (!rules.report().skipped().isEmpty()) throw new IllegalStateException("rules skipped: " + rules.report().skipped());
        PcapReader r = pcap(pcap);
        return run(rules, EngineSettings.DEFAULTS, r.linkType(), r.packets());
    }
}
