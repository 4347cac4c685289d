package io.tandem.itests;

import io.tandem.api.ReplicaStatus;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

import javax.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.function.BooleanSupplier;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

/**
 * The distribution with its shipped etc/ untouched: no cluster secret, no source, so no replica runs and the
 * shell says why. Configured afterwards through Config Admin (as {@code config:property-set} or an edited cfg
 * file would), a single replica starts and aligns a real capture on its own.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShippedConfigurationIT {
    private static final long TIMEOUT_MS = 60_000;

    @Inject
    private BundleContext context;
    @Inject
    private SessionFactory sessions;
    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return options(
                karafDistributionConfiguration().frameworkUrl("file:" + System.getProperty("tandem.distribution"))
                        .karafVersion("4.4.10").name("Tandem").unpackDirectory(new File("target/exam")).useDeployFolder(false),
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                logLevel(LogLevel.INFO),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                        System.getProperty("org.ops4j.pax.url.mvn.localRepository")),
                // Only what a test run needs beyond the shipped files: the path of the captures, in a system property.
                editConfigurationFilePut("etc/system.properties", "tandem.data", System.getProperty("tandem.data")));
    }

    @Test
    public void withoutSecretAndSourceNoReplicaRunsAndTheShellSaysWhy() throws Exception {
        assertNull(context.getServiceReference(ReplicaStatus.class));
        Path log = Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
        waitFor(() -> read(log).contains("io.tandem.peer: secret is not set: this replica does not start"), "the secret line in " + log);
        String status = exec("tandem:status");
        assertTrue(status, status.contains("no replica running: no connection manager (io.tandem.peer: is the secret set?); no capture (io.tandem.capture: is source.file set?)"));

        set("io.tandem.hashdb", "when.full", "block");
        set("io.tandem.sync", "boot.peers", "0");
        set("io.tandem.capture", "source.file", System.getProperty("tandem.data") + "/pcaps/ordinary");
        set("io.tandem.peer", "secret", "set-after-boot");
        waitFor(() -> context.getServiceReference(ReplicaStatus.class) != null, "the replica to be assembled");
        ServiceReference<ReplicaStatus> ref = context.getServiceReference(ReplicaStatus.class);
        ReplicaStatus replica = context.getService(ref);
        // The whole capture once (no loop), at top speed: the replica aligns it alone and ends.
        waitFor(() -> replica.snapshot().state().equals("ended"), "the single replica to align the whole capture");
        long seen = replica.snapshot().counters().get("capture.seen");
        assertTrue("captured " + seen, seen > 20_000);
        assertEquals(seen, (long) replica.snapshot().counters().get("sync.delivered"));
        assertTrue(exec("tandem:status").contains("state      ended"));
    }

    private void set(String pid, String key, String value) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration(pid, null);
        Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        props.put(key, value);
        c.update(props);
    }

    private String exec(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session s = sessions.create(new ByteArrayInputStream(new byte[0]), ps, ps);
        try {
            s.execute(command);
        } finally {
            ps.flush();
            s.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) fail("timed out after " + TIMEOUT_MS + " ms waiting for: " + what);
            Thread.sleep(100);
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
