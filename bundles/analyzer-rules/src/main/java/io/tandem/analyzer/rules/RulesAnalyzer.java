package io.tandem.analyzer.rules;

import io.tandem.analyzer.rules.internal.Inspector;
import io.tandem.analyzer.rules.internal.PacketDecoder;
import io.tandem.api.AlertSink;
import io.tandem.api.Analyzer;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.StreamInfo;

import java.io.IOException;
import java.util.Objects;

/** The embedded analyzer ({@code analyzer.name=rules}) over one loaded {@link RuleSet}. */
public final class RulesAnalyzer implements Analyzer {
    private final RuleSet rules;
    private final EngineSettings settings;

    public RulesAnalyzer(RuleSet rules, EngineSettings settings) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return Inspector.ANALYZER;
    }

    public RuleSet rules() {
        return rules;
    }

    @Override
    public RulesSession open(StreamInfo stream, AlertSink alerts) throws IOException {
        if (!PacketDecoder.supported(stream.linkType())) {
            throw new IOException("rules analyzer: link type " + stream.linkType() + " is not supported (1, 0, 12, 14, 101, 108, 113, 228, 229)");
        }
        return new RulesSession(rules, settings, stream, alerts);
    }

    /** Shorthand for sessions outside a replica (tests, bench). */
    public AnalyzerSession open(int linkType, AlertSink alerts) throws IOException {
        return open(new StreamInfo("local", linkType, 0), alerts);
    }
}
