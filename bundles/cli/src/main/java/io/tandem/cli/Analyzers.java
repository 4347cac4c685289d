package io.tandem.cli;

import io.tandem.analyzer.pipe.PipeAnalyzer;
import io.tandem.analyzer.pipe.PipeSettings;
import io.tandem.analyzer.rules.EngineSettings;
import io.tandem.analyzer.rules.RuleSet;
import io.tandem.analyzer.rules.RulesAnalyzer;
import io.tandem.api.Analyzer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The analyzers the CLI can run, made from a suricata-verify style folder. */
final class Analyzers {
    private Analyzers() {
    }

    /**
     * @param kind rules (the embedded engine) or suricata (analyzer-pipe running Suricata)
     * @param work a folder of this replica's own for the analyzer's files
     */
    static Analyzer forFolder(String kind, VerifyFolder folder, Path work) throws IOException {
        if (folder.rules() == null) throw new IOException(folder.name() + ": no test.rules in the folder");
        return switch (kind) {
            case "suricata" -> new PipeAnalyzer(PipeSettings.builder().rules(folder.rules()).args(folder.argWords()).workDir(work).build());
            case "rules" -> {
                // suricata-verify runs with midstream pickup off unless the test sets it
                boolean midstream = folder.args().stream().anyMatch(a -> a.contains("stream.midstream=true"));
                yield new RulesAnalyzer(RuleSet.load(List.of(folder.rules()), null, Map.of()), EngineSettings.DEFAULTS.withMidstream(midstream));
            }
            default -> throw new IllegalArgumentException("unknown analyzer '" + kind + "' (known: rules, suricata)");
        };
    }
}
