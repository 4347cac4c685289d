package io.tandem.hashdb.internal.osgi;

import io.tandem.api.ClusterParameters;
import io.tandem.api.HashDatabase;
import io.tandem.api.HashDatabaseFactory;
import io.tandem.api.HashFunction;
import io.tandem.hashdb.PacketHashDatabase;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the {@link HashDatabaseFactory} (config pid {@code io.tandem.hashdb}) while its configuration is
 * valid. Hash functions are whatever HashFunction services are registered now, by their {@code hash.name}, so a
 * hash function in a bundle of its own can come and go.
 */
@Component(configurationPid = HashdbConfig.PID, immediate = true, service = {})
public class HashDatabaseComponent implements HashDatabaseFactory {
    private static final Logger LOG = LoggerFactory.getLogger(HashDatabaseComponent.class);
    private static final int FUNCTION_WAIT_SECONDS = 10;

    private final Map<HashFunction, String> functions = new ConcurrentHashMap<>();
    private BundleContext context;
    private ServiceRegistration<HashDatabaseFactory> registration;
    private volatile HashdbConfig config;
    private volatile boolean created;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addHashFunction(HashFunction f, Map<String, Object> props) {
        Object name = props.get(HashFunction.NAME_PROPERTY);
        synchronized (functions) {
            functions.put(f, name != null ? name.toString() : f.name());
            functions.notifyAll();
        }
    }

    void removeHashFunction(HashFunction f) {
        functions.remove(f);
    }

    @Activate
    synchronized void activate(BundleContext context, Map<String, ?> props) {
        this.context = context;
        apply(props);
    }

    @Modified
    synchronized void modified(Map<String, ?> props) {
        HashdbConfig before = config;
        apply(props);
        if (created && config != null && !config.equals(before)) {
            LOG.info("{}: {} applies to the next hash database; the running replica keeps its own until restarted", HashdbConfig.PID, config);
        }
    }

    /** A bad configuration keeps the previous one; with none valid yet, the factory stays unpublished. */
    private void apply(Map<String, ?> props) {
        try {
            config = HashdbConfig.parse(props);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; {}", HashdbConfig.PID, e.getMessage(), config == null ? "no hash database until this is fixed" : "keeping " + config);
            return;
        }
        if (registration == null) registration = context.registerService(HashDatabaseFactory.class, this, null);
    }

    @Deactivate
    synchronized void deactivate() {
        if (registration != null) registration.unregister();
        registration = null;
    }

    /**
     * Waits a little for the named function: hash functions are services of their own, and the bundle that
     * registers them (this one, or another) may still be starting when the replica is assembled.
     */
    @Override
    public HashDatabase create(ClusterParameters p) {
        HashdbConfig c = config;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FUNCTION_WAIT_SECONDS);
        synchronized (functions) {
            while (true) {
                Map<String, HashFunction> byName = new TreeMap<>();
                functions.forEach((f, n) -> byName.put(n, f));
                HashFunction f = byName.get(p.hashName());
                if (f != null) {
                    created = true;
                    return new PacketHashDatabase(f, p.snippet(), c.capacity(), c.whenFull());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalArgumentException("no hash function '" + p.hashName() + "' is registered (registered: "
                            + String.join(", ", byName.keySet()) + ")");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(functions, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for hash function '" + p.hashName() + "'");
                }
            }
        }
    }
}
