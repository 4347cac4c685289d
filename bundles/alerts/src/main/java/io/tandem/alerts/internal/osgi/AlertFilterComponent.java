package io.tandem.alerts.internal.osgi;

import io.tandem.alerts.AlertOutput;
import io.tandem.alerts.AlertOutputs;
import io.tandem.alerts.TandemAlertFilter;
import io.tandem.api.AlertFilter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Publishes the {@link AlertFilter} (config pid {@code io.tandem.alerts}) while its configuration is valid.
 * Outputs change live; the agreement's settings apply to the next session (the replica's next incarnation).
 * EventAdmin is optional and dynamic: without it the topic is simply not posted.
 */
@Component(configurationPid = AlertsConfig.PID, immediate = true, service = {})
public class AlertFilterComponent {
    private static final Logger LOG = LoggerFactory.getLogger(AlertFilterComponent.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin eventAdmin;

    private BundleContext context;
    private TandemAlertFilter filter;
    private ServiceRegistration<AlertFilter> registration;
    private AlertsConfig config;

    @Activate
    synchronized void activate(BundleContext context, Map<String, ?> props) {
        this.context = context;
        apply(props);
    }

    @Modified
    synchronized void modified(Map<String, ?> props) {
        apply(props);
    }

    /** A bad configuration (or an output that cannot be opened) keeps the previous one; with none yet, no filter is published. */
    private void apply(Map<String, ?> props) {
        AlertsConfig next;
        List<AlertOutput> outputs;
        try {
            next = AlertsConfig.parse(props);
            if (next.equals(config)) return;
            outputs = open(next);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; {}", AlertsConfig.PID, e.getMessage(), config == null ? "no alert filter until this is fixed" : "keeping " + config);
            return;
        }
        if (filter == null) {
            filter = TandemAlertFilter.builder().outputs(outputs).settings(next.settings()).recent(next.recent()).build();
            registration = context.registerService(AlertFilter.class, filter, null);
            LOG.info("{}: {}", AlertsConfig.PID, next);
        } else {
            filter.setOutputs(outputs);
            filter.setRecentCapacity(next.recent());
            if (!next.settings().equals(config.settings())) {
                LOG.info("{}: {} (outputs now; agreement settings from the replica's next start)", AlertsConfig.PID, next);
            } else {
                LOG.info("{}: {}", AlertsConfig.PID, next);
            }
            filter.setSettings(next.settings());
        }
        config = next;
    }

    /** Opens every configured output, or none: the error names the key whose output failed. */
    private List<AlertOutput> open(AlertsConfig c) {
        List<AlertOutput> outputs = new ArrayList<>();
        try {
            if (c.eveFile() != null) {
                try {
                    outputs.add(AlertOutputs.eveFile(c.eveFile()));
                } catch (IOException e) {
                    throw new IllegalArgumentException("eve.file=" + c.eveFile() + ": cannot be opened for appending (" + e + ")");
                }
            }
            if (c.syslogHost() != null) {
                try {
                    outputs.add(AlertOutputs.syslog(c.syslogHost(), c.syslogPort(), c.syslogFacility(), c.syslogAppName()));
                } catch (IOException e) {
                    throw new IllegalArgumentException("syslog.host=" + c.syslogHost() + ": " + e);
                }
            }
        } catch (IllegalArgumentException e) {
            for (AlertOutput o : outputs) {
                try {
                    o.close();
                } catch (IOException ignored) {
                    // it was never used
                }
            }
            throw e;
        }
        if (c.eventAdmin()) outputs.add(new EventAdminOutput(() -> eventAdmin));
        return outputs;
    }

    @Deactivate
    synchronized void deactivate() {
        if (registration != null) registration.unregister();
        registration = null;
        if (filter != null) filter.close();
        filter = null;
        config = null;
    }
}
