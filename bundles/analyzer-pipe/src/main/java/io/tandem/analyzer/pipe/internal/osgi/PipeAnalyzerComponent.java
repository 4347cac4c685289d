package io.tandem.analyzer.pipe.internal.osgi;

import io.tandem.analyzer.pipe.PipeAnalyzer;
import io.tandem.analyzer.pipe.PipeSettings;
import io.tandem.api.Analyzer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

/**
 * Publishes a {@link PipeAnalyzer} as an {@link Analyzer} service (property {@code analyzer.name}) while the
 * configuration of pid {@code io.tandem.analyzer.pipe} is valid. A new configuration applies to sessions opened
 * after it; running sessions keep their process. Sessions still open when the bundle stops are closed, so no
 * orphan process outlives it.
 */
@Component(configurationPid = PipeConfig.PID, immediate = true, service = {})
public class PipeAnalyzerComponent {
    private static final Logger LOG = LoggerFactory.getLogger(PipeAnalyzerComponent.class);

    private BundleContext context;
    private PipeSettings settings;
    private PipeAnalyzer analyzer;
    private ServiceRegistration<Analyzer> registration;
    /** Analyzers replaced by a new configuration whose sessions may still run. */
    private final List<PipeAnalyzer> retired = new ArrayList<>();

    @Activate
    synchronized void activate(BundleContext context, Map<String, ?> props) {
        this.context = context;
        apply(props);
    }

    @Modified
    synchronized void modified(Map<String, ?> props) {
        apply(props);
    }

    private void apply(Map<String, ?> props) {
        PipeSettings next;
        try {
            next = PipeConfig.parse(props, defaultWorkDir());
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; {}", PipeConfig.PID, e.getMessage(), settings == null ? "no pipe analyzer until this is fixed" : "keeping " + PipeConfig.describe(settings));
            return;
        }
        if (next.equals(settings)) return;
        settings = next;
        if (analyzer != null) retired.add(analyzer);
        analyzer = new PipeAnalyzer(next);
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("analyzer.name", next.name());
        if (registration != null) registration.unregister();
        registration = context.registerService(Analyzer.class, analyzer, p);
        retired.removeIf(a -> a.openSessions().isEmpty());
        LOG.info("{}: analyzer '{}' registered: {}", PipeConfig.PID, next.name(), PipeConfig.describe(next));
    }

    /** ${karaf.data}/tandem/analyzer-pipe in Karaf, else under java.io.tmpdir. */
    static Path defaultWorkDir() {
        String data = System.getProperty("karaf.data");
        return data != null ? Path.of(data, "tandem", "analyzer-pipe") : Path.of(System.getProperty("java.io.tmpdir"), "tandem-analyzer-pipe");
    }

    @Deactivate
    synchronized void deactivate() {
        if (registration != null) registration.unregister();
        registration = null;
        if (analyzer != null) analyzer.closeAll();
        retired.forEach(PipeAnalyzer::closeAll);
        retired.clear();
        analyzer = null;
        settings = null;
    }
}
