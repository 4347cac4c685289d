package io.tandem.itests;

import io.tandem.api.ReplicaStatus;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import javax.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

/**
 * The distribution with its shipped etc/ untouched: no cluster secret, no source, so no replica runs and the
 * shell says why. Configured afterwards through Config Admin (as {@code config:property-set} or an edited cfg
 * file would), a single replica starts and aligns a real capture on its own.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShippedConfigurationIT extends TandemTestSupport {
    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(distribution());
        // Only what a test run needs beyond the shipped files: the path of the captures, in a system property.
        options.add(editConfigurationFilePut("etc/system.properties", "tandem.data", System.getProperty("tandem.data")));
        return options.toArray(new Option[0]);
    }

    @Test
    public void withoutSecretAndSourceNoReplicaRunsAndTheShellSaysWhy() throws Exception {
        assertNull(context.getServiceReference(ReplicaStatus.class));
        Path log = karafLog();
        waitFor(() -> read(log).contains("io.tandem.peer: secret is not set: this replica does not start"), "the secret line in " + log);
        String status = exec("tandem:status");
        assertTrue(status, status.contains("no replica running: no connection manager (io.tandem.peer: is the secret set?); no capture (io.tandem.capture: is source.file set?)"));
        // leave and join when no replica runs: one line saying why
        for (String command : List.of("tandem:leave", "tandem:join")) {
            try {
                fail(command + " should fail, printed: " + exec(command));
            } catch (Exception e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("no replica running: no connection manager") && !e.getMessage().contains("\n"));
            }
        }

        setConfig("io.tandem.hashdb", "when.full", "block");
        setConfig("io.tandem.sync", "boot.peers", "0");
        setConfig("io.tandem.capture", "source.file", System.getProperty("tandem.data") + "/pcaps/ordinary");
        setConfig("io.tandem.peer", "listen.port", String.valueOf(freePort()));
        setConfig("io.tandem.peer", "secret", "set-after-boot");
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

}
