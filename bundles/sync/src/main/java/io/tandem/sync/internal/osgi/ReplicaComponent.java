package io.tandem.sync.internal.osgi;

import io.tandem.api.AlertFilter;
import io.tandem.api.Analyzer;
import io.tandem.api.CaptureFactory;
import io.tandem.api.ConnectionManagerFactory;
import io.tandem.api.HashDatabaseFactory;
import io.tandem.api.ReplicaStatus;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replica's conductor (config pid {@code io.tandem.sync}): once a hash database, a connection manager and a
 * capture can be made, it assembles the replica and publishes its {@link ReplicaStatus}; it takes it apart when
 * one of them goes away or the component stops.
 *
 * <p>Live changes: the hash log applies at once. Before bootstrap any other change restarts the replica. After
 * it, a change of k, l, hash or snippet is refused (the peers align on the values the cluster booted with), and
 * the other keys wait for the next start.
 *
 * <p>Leaving and joining ({@code member}, set by {@code tandem:leave} / {@code tandem:join}): {@code false} takes
 * the replica apart as a stopped bundle would (engine, peer connections, capture, queue) but keeps its status,
 * {@code left}, registered; {@code true} again assembles a new replica. A follower's new engine logs in to its
 * leader and the running cluster's coordinator boots it into the stream; a leader's bootstraps anew (to join a
 * cluster that runs without it, {@code tandem:join --via} makes it a follower first).
 */
@Component(configurationPid = SyncConfig.PID, immediate = true, service = {})
public class ReplicaComponent {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaComponent.class);
    /** Service property naming an Analyzer ("rules", "suricata"). */
    static final String ANALYZER_NAME = "analyzer.name";

    @Reference
    private HashDatabaseFactory databases;
    @Reference
    private ConnectionManagerFactory connections;
    @Reference
    private CaptureFactory captures;

    /** Analyzer services by their analyzer.name; the one the configuration names is fed. */
    private final Map<Analyzer, String> analyzers = new ConcurrentHashMap<>();
    private volatile AlertFilter alertFilter;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addAnalyzer(Analyzer a, Map<String, Object> props) {
        Object name = props.get(ANALYZER_NAME);
        analyzers.put(a, name != null ? name.toString() : a.name());
        chooseAnalyzer();
    }

    void removeAnalyzer(Analyzer a) {
        analyzers.remove(a);
        chooseAnalyzer();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setAlertFilter(AlertFilter f) {
        alertFilter = f;
        Replica r = running();
        if (r != null) r.setAlertFilter(f);
    }

    void unsetAlertFilter(AlertFilter f) {
        if (alertFilter != f) return;
        alertFilter = null;
        Replica r = running();
        if (r != null) r.setAlertFilter(null);
    }

    private BundleContext context;
    private SyncConfig config;
    private Replica replica;
    private ServiceRegistration<ReplicaStatus> registration;

    @Activate
    synchronized void activate(BundleContext context, Map<String, ?> props) {
        this.context = context;
        try {
            config = SyncConfig.parse(props);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; the replica does not start until this is fixed", SyncConfig.PID, e.getMessage());
            return;
        }
        if (config.member()) startReplica();
        else startLeft();
    }

    @Modified
    synchronized void modified(Map<String, ?> props) {
        SyncConfig next;
        try {
            next = SyncConfig.parse(props);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; {}", SyncConfig.PID, e.getMessage(), replica == null ? "the replica does not start until this is fixed" : "keeping the running values");
            return;
        }
        if (replica == null) {
            config = next;
            if (config.member()) startReplica();
            else startLeft();
            return;
        }
        if (config.member() && !next.member()) {
            replica.leave();
            config = next;
            LOG.warn("{}: member=false: this replica left the cluster (engine stopped, peer connections closed, capture stopped);"
                    + " the others go on without it; tandem:join (member=true) takes it back in", SyncConfig.PID);
            return;
        }
        if (!config.member()) {
            config = next;
            if (next.member()) {
                stopReplica();
                startReplica();
                LOG.info("{}: member=true: this replica joins again as a {}", SyncConfig.PID, connections.leader()
                        ? "leader (it bootstraps a new cluster)" : "follower (the running cluster's coordinator boots it into the stream)");
            }
            return;
        }
        boolean restart = !config.clusterChanges(next).isEmpty() || !config.startChanges(next).isEmpty();
        if (restart && !replica.booted()) {
            LOG.info("{}: the replica has not bootstrapped yet: restarting it with the new configuration", SyncConfig.PID);
            stopReplica();
            config = next;
            startReplica();
            return;
        }
        for (String[] c : config.clusterChanges(next)) {
            LOG.error("{}: {}={} refused: the cluster bootstrapped with {}={} and every replica must hash alike or the"
                    + " streams no longer align; restart the whole cluster to change it (running with {})",
                    SyncConfig.PID, c[0], c[1], c[0], c[2], c[2]);
        }
        for (String[] c : config.startChanges(next)) {
            LOG.warn("{}: {}={} applies when the replica next starts (running with {})", SyncConfig.PID, c[0], c[1], c[2]);
        }
        if (!config.analyzer().equals(next.analyzer())) {
            config = config.withAnalyzer(next.analyzer());
            LOG.info("{}: analyzer now {}{}", SyncConfig.PID, next.analyzer(), analyzers.containsValue(next.analyzer()) ? ""
                    : " (no Analyzer service by that name yet: packets wait in the feeder's queue until one is registered)");
            chooseAnalyzer();
        }
        if (!config.sameHashLog(next) && replica.switchHashLog(next.hashLog())) {
            config = config.withHashLog(next.hashLog());
            LOG.info("{}: hash log {}", SyncConfig.PID, next.hashLog() == null ? "off" : "now written to " + next.hashLog());
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (replica != null) LOG.info("{}: taking the replica apart (a part it is made of went away, or tandem-sync stops)", SyncConfig.PID);
        stopReplica();
    }

    private synchronized Replica running() {
        return replica;
    }

    /** Hands the replica the analyzer its configuration names, or none (its packets then wait in the feeder's queue). */
    private synchronized void chooseAnalyzer() {
        // under the lock, so that two service events on two threads cannot apply their choices out of order
        if (replica == null || config == null) return;
        Analyzer chosen = null;
        for (Map.Entry<Analyzer, String> e : analyzers.entrySet()) {
            if (e.getValue().equals(config.analyzer())) chosen = e.getKey();
        }
        replica.setAnalyzer(chosen);
    }

    private void startReplica() {
        replica = new Replica(config, databases, connections, captures);
        replica.setAlertFilter(alertFilter);
        replica.start();
        registration = context.registerService(ReplicaStatus.class, replica, null);
        chooseAnalyzer();
        LOG.info("{}: assembling the replica as a {}", SyncConfig.PID, connections.leader() ? "leader" : "follower");
    }

    /** A replica that does not take part (member=false): only its status, {@code left}, is registered. */
    private void startLeft() {
        replica = new Replica(config, databases, connections, captures);
        replica.markLeft();
        registration = context.registerService(ReplicaStatus.class, replica, null);
    }

    private void stopReplica() {
        if (registration != null) registration.unregister();
        registration = null;
        if (replica != null) replica.stop();
        replica = null;
    }
}
