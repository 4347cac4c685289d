package io.tandem.shell.command;

import io.tandem.api.CaptureFactory;
import io.tandem.api.ConnectionManagerFactory;
import io.tandem.api.HashDatabaseFactory;
import io.tandem.api.ReplicaSnapshot;
import io.tandem.api.ReplicaStatus;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the tandem commands share. The services they use are looked up in the service registry when a command
 * starts ({@link #lookUp()}) and again while it waits ({@link #current()}), not injected as Karaf
 * {@code @Reference}s: Karaf withdraws all of a bundle's commands when a mandatory reference goes away, and an
 * injected service is the one of the moment the command began, while leave, join and bundle swaps replace the
 * replica under a waiting command (join, leave, top).
 */
abstract class TandemCommand implements Action {
    static final String CAPTURE_PID = "io.tandem.capture";
    static final String SYNC_PID = "io.tandem.sync";
    static final String PEER_PID = "io.tandem.peer";

    @Reference
    BundleContext bundleContext;

    ReplicaStatus replica;
    ConfigurationAdmin configAdmin;
    HashDatabaseFactory databases;
    ConnectionManagerFactory connections;
    CaptureFactory captures;

    /** Services this command got from the registry, given back when it ends. */
    private final List<ServiceReference<?>> got = new ArrayList<>();

    /** Looks the services up, runs the command, gives the services back. */
    @Override
    public final Object execute() throws Exception {
        try {
            lookUp();
            return run();
        } finally {
            for (ServiceReference<?> ref : got) {
                try {
                    bundleContext.ungetService(ref);
                } catch (IllegalStateException stopped) {
                    // the shell bundle stopped meanwhile: the framework released everything
                }
            }
            got.clear();
        }
    }

    /** The command itself. */
    abstract Object run() throws Exception;

    /** The services registered now (null where none is). */
    void lookUp() {
        replica = service(ReplicaStatus.class);
        configAdmin = service(ConfigurationAdmin.class);
        databases = service(HashDatabaseFactory.class);
        connections = service(ConnectionManagerFactory.class);
        captures = service(CaptureFactory.class);
    }

    /** The replica's status service registered now (null: none), e.g. after leave/join or a swap replaced the replica. */
    ReplicaStatus current() {
        // the conductor registers a plain object (no service factory): usable after it is given back, and a
        // command that polls (top) then does not pile up uses
        if (bundleContext == null) return replica;
        ServiceReference<ReplicaStatus> ref;
        try {
            ref = bundleContext.getServiceReference(ReplicaStatus.class);
        } catch (IllegalStateException stoppedMeanwhile) {
            return null;
        }
        if (ref == null) return null;
        try {
            return bundleContext.getService(ref);
        } catch (IllegalStateException stoppedMeanwhile) {
            return null;
        } finally {
            try {
                bundleContext.ungetService(ref);
            } catch (IllegalStateException stoppedMeanwhile) {
                // nothing to give back
            }
        }
    }

    /**
     * The service registered now, or null. It stays got until the command ends: Config Admin, for one, hands each
     * bundle an instance of its own that is unusable once given back.
     */
    private <T> T service(Class<T> type) {
        if (bundleContext == null) return null;
        try {
            ServiceReference<T> ref = bundleContext.getServiceReference(type);
            if (ref == null) return null;
            T service = bundleContext.getService(ref);
            if (service != null) got.add(ref);
            return service;
        } catch (IllegalStateException stoppedMeanwhile) {
            return null;
        }
    }

    /** The replica's snapshot, or an error saying why no replica runs. */
    ReplicaSnapshot snapshot() {
        if (replica == null) throw new IllegalArgumentException(notRunning());
        return replica.snapshot();
    }

    /** One line: which of the replica's parts is missing. */
    String notRunning() {
        List<String> missing = new ArrayList<>();
        if (databases == null) missing.add("no hash database (io.tandem.hashdb: bad configuration or bundle stopped)");
        if (connections == null) missing.add("no connection manager (io.tandem.peer: is the secret set?)");
        if (captures == null) missing.add("no capture (io.tandem.capture: is source.file set?)");
        if (missing.isEmpty()) missing.add("io.tandem.sync has a bad configuration or its bundle is stopped (see log:display)");
        return "no replica running: " + String.join("; ", missing);
    }

    /** Sets one key of a configuration; Karaf writes it back to etc/&lt;pid&gt;.cfg. Returns the previous value. */
    String setConfig(String pid, String key, String value) throws IOException {
        if (configAdmin == null) throw new IllegalArgumentException("Config Admin is not available");
        Configuration c = configAdmin.getConfiguration(pid, null);
        Dictionary<String, Object> props = c.getProperties();
        if (props == null) props = new Hashtable<>();
        Object before = props.get(key);
        props.put(key, value);
        c.update(props);
        return before == null ? null : before.toString();
    }

    /** Waits up to {@code seconds} for the replica's snapshot to satisfy {@code condition}; the last snapshot seen (null: none). */
    ReplicaSnapshot await(Predicate<ReplicaSnapshot> condition, int seconds) throws InterruptedException {
        ReplicaSnapshot last = null;
        for (int i = 0; i < seconds * 10; i++) {
            ReplicaStatus r = current();
            if (r != null) {
                last = r.snapshot();
                if (condition.test(last)) return last;
            }
            Thread.sleep(100);
        }
        return last;
    }

    /**
     * Sets a key that the replica applies live, and waits until its snapshot shows it applied. A value the
     * component refused (its log line says why) is taken back out of the configuration, so etc/ keeps what runs.
     *
     * @return false if no replica runs (the value stays written, for when one starts)
     */
    boolean setLive(String pid, String key, String value, Predicate<ReplicaSnapshot> applied, String refused) throws Exception {
        String before = setConfig(pid, key, value);
        if (replica == null) {
            System.out.println(key + "=" + value + " written to " + pid + "; " + notRunning());
            return false;
        }
        for (int i = 0; i < 50; i++) {
            ReplicaStatus r = current();
            if (r != null && applied.test(r.snapshot())) return true;
            Thread.sleep(100);
        }
        setConfig(pid, key, before == null ? "" : before);
        throw new IllegalArgumentException(refused);
    }
}
