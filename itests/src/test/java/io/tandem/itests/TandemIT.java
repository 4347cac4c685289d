package io.tandem.itests;

import io.tandem.api.CaptureFactory;
import io.tandem.api.CaptureSession;
import io.tandem.api.ClusterParameters;
import io.tandem.api.HashDatabase;
import io.tandem.api.HashDatabaseFactory;
import io.tandem.api.HashFunction;
import io.tandem.api.ReplicaSnapshot;
import io.tandem.api.ReplicaStatus;
import io.tandem.peer.MinaConnectionManager;
import io.tandem.peer.PeerSettings;
import io.tandem.sync.SyncEngine;
import io.tandem.sync.SyncSettings;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import javax.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

/**
 * The distribution as shipped, configured as a leader replica ("r1") replaying the everyday captures at a fixed
 * rate. The first test that needs it adds a second replica ("r2") inside the same container, built from the
 * same factory services plus the engine classes, which joins r1 over real sockets; the two must bootstrap and
 * deliver the same stream.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TandemIT extends TandemTestSupport {
    /** Packets of the aligned stream compared between the two replicas. */
    private static final int COMPARED = 20_000;

    @Inject
    private BundleContext context;
    @Inject
    private FeaturesService features;
    @Inject
    private ReplicaStatus replica;
    @Inject
    private HashDatabaseFactory databases;
    @Inject
    private CaptureFactory captures;

    /** The second replica, built once per container by {@link #cluster()}. */
    private static SyncEngine follower;
    private static List<String> followerHashes;
    private static List<String> leaderHashes;

    @Configuration
    public Option[] config() throws IOException {
        String data = System.getProperty("tandem.data");
        List<Option> options = new ArrayList<>(distribution());
        options.addAll(List.of(
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "secret", "integration-test-secret"),
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "replica.id", "r1"),
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "listen.port", String.valueOf(freePort())),
                // A replayed file can wait for the cluster; a live interface could not.
                editConfigurationFilePut("etc/io.tandem.hashdb.cfg", "when.full", "block"),
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "source.file", data + "/pcaps/ordinary"),
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "source.loop.packets", "10000000"),
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "source.pps", "20000"),
                editConfigurationFilePut("etc/io.tandem.sync.cfg", "boot.peers", "1"),
                editConfigurationFilePut("etc/io.tandem.sync.cfg", "hashlog", "data/r1.hashes")));
        return options.toArray(new Option[0]);
    }

    @Test
    public void everyFeatureIsInstalledAndEveryBundleActive() throws Exception {
        for (String f : List.of("tandem-api", "tandem-hashdb", "tandem-capture", "tandem-peer", "tandem-sync", "tandem-analyzer-rules",
                "tandem-alerts", "tandem-shell", "tandem")) {
            assertTrue("feature " + f + " installed", features.isInstalled(features.getFeature(f)));
        }
        int seen = 0;
        for (Bundle b : context.getBundles()) {
            String name = b.getSymbolicName();
            if (name.startsWith("tandem-") || name.equals("org.pcap4j.core")) {
                assertEquals(name + " is active", Bundle.ACTIVE, b.getState());
                seen++;
            }
        }
        assertEquals("tandem bundles (api, hashdb, capture, peer, sync, analyzer-rules, alerts, shell) and pcap4j", 9, seen);
        Set<Object> names = new HashSet<>();
        for (ServiceReference<HashFunction> r : context.getServiceReferences(HashFunction.class, null)) names.add(r.getProperty(HashFunction.NAME_PROPERTY));
        assertEquals(Set.of("md5", "murmur3", "one-at-a-time", "crc32"), names);
    }

    @Test
    public void twoReplicasDeliverTheSameStreamFromARealCapture() throws Exception {
        cluster();
        ReplicaSnapshot s = replica.snapshot();
        assertEquals(List.of("r1", "r2"), s.members());
        assertTrue("r1 delivered", s.counters().get("sync.delivered") >= COMPARED);
        assertEquals("the first " + COMPARED + " packets of the aligned stream", leaderHashes, followerHashes);
        assertTrue(exec("tandem:stats").matches("(?s).*sync\\.delivered\\s+[1-9][0-9]*.*"));
    }

    @Test
    public void everyTandemCommandAnswers() throws Exception {
        cluster();
        String status = exec("tandem:status");
        assertContains(status, "r1 (leader)");
        assertContains(status, "state      running");
        assertContains(status, "k=56 l=4 hash=md5 snippet=128, mode 1");
        assertContains(exec("tandem:peers"), "r2");
        assertContains(exec("tandem:stats"), "capture.seen");
        assertContains(exec("tandem:stats --json"), "{\"id\":\"r1\",\"state\":\"running\"");
        String top = exec("tandem:top --once");
        assertTrue(top, top.matches("(?s)tandem:top  r1 \\(leader\\)  running .*\ndelivered\\s+[1-9][0-9]*\\s+[0-9]+\n.*"));
        assertContains(exec("tandem:drop"), "random drop 0");
        assertContains(exec("tandem:mode"), "mode 1");
        assertContains(exec("tandem:hashlog"), "r1.hashes");
        assertFails("tandem:stats --bogus", "Undefined option: --bogus");
        assertFails("tandem:mode 7", "mode must be 0 or 1, not '7'");
        assertFails("tandem:drop --clear 2500", "give either a drop spec or --clear, not both");
        assertFails("tandem:drop p50,x", "drop 'p50,x' was refused");
        assertContains(exec("tandem:drop"), "random drop 0");
        assertContains(status, "members    r1, r2 (view 0)");
        assertContains(exec("tandem:stats"), "sync.view");
        // join and leave: leaving is HotSwapIT's (it would end this cluster); bad use answers in one line
        assertFails("tandem:join", "this replica already takes part (state running); tandem:leave first");
        assertFails("tandem:join --via 127.0.0.1:1 --lead", "give either --via or --lead, not both");
        assertFails("tandem:join --via nowhere:0", "--via must be HOST:PORT of a running member, not 'nowhere:0'");
        assertFails("tandem:leave --bogus", "Undefined option: --bogus");
        assertEquals("running", replica.snapshot().state());
    }

    @Test
    public void randomDropChangeReachesTheCaptureLive() throws Exception {
        cluster();
        long before = counter("capture.random.dropped");
        setConfig("io.tandem.capture", "drop", "5000");
        waitFor(() -> "5000".equals(replica.snapshot().randomDrop()) && counter("capture.random.dropped") > before + 100,
                "5 % random drop in force");
        assertContains(exec("tandem:drop --clear"), "random drop now 0");
        Thread.sleep(500);
        long cleared = counter("capture.random.dropped");
        Thread.sleep(1000);
        assertEquals("no random drop once cleared", cleared, counter("capture.random.dropped"));
    }

    @Test
    public void hashLogSwitchesLiveAndModeWaitsForTheNextStart() throws Exception {
        cluster();
        Path other = Path.of(System.getProperty("karaf.base"), "data", "other.hashes");
        assertContains(exec("tandem:hashlog data/other.hashes"), "hash log now written to " + other);
        waitFor(() -> lines(other).size() > 1000, "hashes in " + other);
        assertContains(exec("tandem:hashlog --off"), "hash log off");
        Thread.sleep(1500); // the last buffered lines reach the file within a second
        int written = lines(other).size();
        Thread.sleep(1000);
        assertEquals("nothing written once off", written, lines(other).size());
        assertContains(exec("tandem:hashlog data/r1.hashes"), "r1.hashes");

        assertContains(exec("tandem:mode 0"), "mode=0 written to io.tandem.sync; a bootstrapped replica applies it when it next starts");
        assertEquals(1, replica.snapshot().mode());
        assertContains(exec("tandem:mode 1"), "mode now 1");
    }

    @Test
    public void clusterSizeChangeAfterBootstrapIsRefused() throws Exception {
        cluster();
        setConfig("io.tandem.sync", "cluster.size", "100");
        Path log = karafLog();
        waitFor(() -> read(log).contains("io.tandem.sync: cluster.size=100 refused: the cluster bootstrapped with cluster.size=56"),
                "the refusal in " + log);
        ReplicaSnapshot s = replica.snapshot();
        assertEquals(56, s.parameters().clusterSize());
        assertEquals("running", s.state());
        setConfig("io.tandem.sync", "cluster.size", "56");
    }

    /**
     * Starts r2 (once): a hash database and a capture from the same factory services r1 uses, a connection
     * manager logging in to r1 and a follower's sync engine; then waits until both delivered {@link #COMPARED}
     * packets and keeps those packets' hashes.
     */
    private synchronized void cluster() throws Exception {
        if (follower != null) return;
        Dictionary<String, Object> peer = configAdmin.getConfiguration("io.tandem.peer", null).getProperties();
        ClusterParameters p = replica.snapshot().parameters();
        HashDatabase db = databases.create(p);
        CaptureSession capture = captures.open(db);
        MinaConnectionManager cm = new MinaConnectionManager(PeerSettings.builder("r2", peer.get("secret").toString().getBytes(StandardCharsets.UTF_8))
                .listen("127.0.0.1", 0).leader("127.0.0.1", Integer.parseInt(peer.get("listen.port").toString())).parameters(p).build());
        List<String> hashes = Collections.synchronizedList(new ArrayList<>());
        SyncEngine engine = new SyncEngine(SyncSettings.follower(), db, cm, capture, (position, hash, packet) -> {
            if (position < COMPARED) hashes.add(hash.toHex(16));
        });
        cm.setHandler(engine);
        engine.start(); // a joining replica captures before it logs in (thesis 3.4)
        cm.start();
        follower = engine;
        waitFor(() -> engine.booted() && replica.snapshot().state().equals("running"), "r1 and r2 bootstrapped");
        Path log = Path.of(System.getProperty("karaf.base"), "data", "r1.hashes");
        waitFor(() -> hashes.size() >= COMPARED && lines(log).size() >= COMPARED, COMPARED + " packets delivered by r1 and r2");
        followerHashes = List.copyOf(hashes);
        leaderHashes = lines(log).subList(0, COMPARED);
    }

    private long counter(String name) {
        Long v = replica.snapshot().counters().get(name);
        if (v == null) throw new AssertionError("no counter " + name + " in " + replica.snapshot().counters());
        return v;
    }

    private static List<String> lines(Path p) {
        String s = read(p);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }
}
