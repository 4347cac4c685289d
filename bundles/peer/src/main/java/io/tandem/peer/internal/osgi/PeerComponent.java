package io.tandem.peer.internal.osgi;

import io.tandem.api.ClusterParameters;
import io.tandem.api.ConnectionManager;
import io.tandem.api.ConnectionManagerFactory;
import io.tandem.peer.MinaConnectionManager;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Publishes the {@link ConnectionManagerFactory} (config pid {@code io.tandem.peer}) while the cluster secret is
 * configured: the secret has no default, and a replica without it must not run.
 */
@Component(configurationPid = PeerConfig.PID, immediate = true, service = {})
public class PeerComponent implements ConnectionManagerFactory {
    private static final Logger LOG = LoggerFactory.getLogger(PeerComponent.class);

    private BundleContext context;
    private ServiceRegistration<ConnectionManagerFactory> registration;
    private volatile PeerConfig config;
    private volatile boolean created;

    @Activate
    synchronized void activate(BundleContext context, Map<String, ?> props) {
        this.context = context;
        apply(props);
    }

    @Modified
    synchronized void modified(Map<String, ?> props) {
        PeerConfig before = config;
        apply(props);
        if (created && config != null && !config.equals(before)) {
            LOG.info("{}: {} applies to the next connection manager; the running replica keeps its own until restarted", PeerConfig.PID, config);
        }
    }

    private void apply(Map<String, ?> props) {
        PeerConfig c;
        try {
            c = PeerConfig.parse(props);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; {}", PeerConfig.PID, e.getMessage(), config == null ? "the replica cannot start until this is fixed" : "keeping " + config);
            return;
        }
        if (!c.hasSecret()) {
            LOG.error("{}: secret is not set: this replica does not start (set the same secret at every replica of the cluster in etc/{}.cfg)",
                    PeerConfig.PID, PeerConfig.PID);
            config = null;
            unregister();
            return;
        }
        config = c;
        if (registration == null) registration = context.registerService(ConnectionManagerFactory.class, this, null);
    }

    @Deactivate
    synchronized void deactivate() {
        unregister();
    }

    private void unregister() {
        if (registration != null) registration.unregister();
        registration = null;
    }

    @Override
    public ConnectionManager create(ClusterParameters p) {
        PeerConfig c = config;
        if (c == null) throw new IllegalStateException(PeerConfig.PID + " has no valid configuration with a secret");
        created = true;
        return new MinaConnectionManager(c.settingsFor(p));
    }

    @Override
    public boolean leader() {
        PeerConfig c = config;
        return c != null && c.leader();
    }
}
