package io.tandem.analyzer.rules.internal.osgi;

import io.tandem.analyzer.rules.RuleSet;
import io.tandem.analyzer.rules.RulesAnalyzer;
import io.tandem.api.AlertSink;
import io.tandem.api.Analyzer;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.StreamInfo;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Map;

/**
 * Publishes the embedded analyzer ({@code analyzer.name=rules}, config pid {@code io.tandem.analyzer.rules}) once a
 * configuration loads. A changed configuration is loaded in full first and then swapped in atomically: sessions
 * opened afterwards use the new rules, a running session keeps the rule set it started with. A bad value or an
 * unreadable file keeps the previous rule set (one-line error naming the key).
 */
@Component(configurationPid = RulesConfig.PID, immediate = true, service = {})
public class RulesComponent implements Analyzer {
    private static final Logger LOG = LoggerFactory.getLogger(RulesComponent.class);

    private BundleContext context;
    private ServiceRegistration<Analyzer> registration;
    private volatile RulesAnalyzer current;
    private RulesConfig config;

    @Activate
    synchronized void activate(BundleContext context, Map<String, ?> props) {
        this.context = context;
        apply(props);
    }

    @Modified
    synchronized void modified(Map<String, ?> props) {
        apply(props);
    }

    @Deactivate
    synchronized void deactivate() {
        if (registration != null) registration.unregister();
        registration = null;
    }

    private void apply(Map<String, ?> props) {
        RulesConfig next;
        RuleSet rules;
        try {
            next = RulesConfig.parse(props);
            if (next.equals(config) && current != null) return;
            Path base = Path.of(System.getProperty("karaf.base", "."));
            rules = RuleSet.load(next.ruleFiles(base), next.classificationFile(base), next.vars());
        } catch (IllegalArgumentException | IOException e) {
            LOG.error("{}: {}; {}", RulesConfig.PID, e.getMessage(), current == null ? "no rules analyzer until this is fixed" : "keeping the rules loaded before");
            return;
        }
        if (rules.report().files().isEmpty()) LOG.warn("{}: rules={} matches no file; the analyzer has no rules", RulesConfig.PID, String.join(",", next.rules()));
        current = new RulesAnalyzer(rules, next.settings());
        config = next;
        LOG.info("{}: {} rules ready for the next session ({} skipped)", RulesConfig.PID, rules.size(), rules.report().skipped().size());
        if (registration == null) {
            Hashtable<String, Object> p = new Hashtable<>();
            p.put("analyzer.name", name());
            registration = context.registerService(Analyzer.class, this, p);
        }
    }

    @Override
    public String name() {
        return "rules";
    }

    @Override
    public AnalyzerSession open(StreamInfo stream, AlertSink alerts) throws IOException {
        RulesAnalyzer a = current;
        if (a == null) throw new IOException("rules analyzer: no valid configuration of " + RulesConfig.PID + " yet");
        return a.open(stream, alerts);
    }
}
