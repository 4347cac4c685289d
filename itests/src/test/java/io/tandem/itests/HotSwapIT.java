package io.tandem.itests;

import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

import javax.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

/**
 * Hot swap of the Tandem bundles under traffic, and leave/join, in a replica set of two.
 *
 * <p>r2, the replica under test, is this container: a follower replaying the everyday captures at 20,000
 * packets/s with a 1 % random drop of its own. r1 is a lossless leader in a plain Java process of its own
 * ({@link PlainReplica}, the engine classes on a class path), started by the first test: both replicas sharing
 * this container's bundles would both be swapped. The probe itself imports no Tandem package (it reads the
 * replica through the shell only), so even refreshing tandem-api, which restarts every Tandem bundle, leaves it
 * running.
 *
 * <p>Every swap of capture, sync, hashdb or peer (stop + start, and update) takes r2 apart: the other bundles stay
 * active and {@code tandem:status} answers while it is down; r1 goes on alone in a new view; the rebuilt r2 logs in
 * again and r1, the coordinator, boots it into the running stream (a newer view). Swapping the shell or the api
 * bundle (without refresh) leaves r2 running in its view. At the end r1's stream must be the source exactly (it
 * never lost a packet) and every line of r2's hash log must be r1's stream at the right position: each
 * incarnation of r2 delivers exactly r1's stream from the position it joined at.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class HotSwapIT extends TandemTestSupport {
    private static final String[] REBUILT = {"tandem-capture", "tandem-sync", "tandem-hashdb", "tandem-peer"};
    private static final String[] TANDEM = {"tandem-api", "tandem-capture", "tandem-hashdb", "tandem-peer", "tandem-sync", "tandem-shell"};
    private static final int PPS = 20_000;
    private static final long REJOIN_MS = 40_000;
    private static final Pattern JOINED = Pattern.compile("r2: bootstrapped into a running cluster at (\\d+)");

    @Inject
    private BundleContext context;

    private static Process r1;
    /** Rebuilds of r2 so far (each must appear as one join in the log and one segment of its hash log). */
    private static int rejoins;
    private static final List<String> summary = new ArrayList<>();

    @Configuration
    public Option[] config() throws IOException {
        String data = System.getProperty("tandem.data");
        Path dir = Path.of("target", "hotswap").toAbsolutePath();
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        List<Option> options = new ArrayList<>(distribution());
        options.addAll(List.of(
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "secret", HexFormat.of().formatHex(secret)),
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "replica.id", "r2"),
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "listen.port", String.valueOf(freePort())),
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "leader.host", "127.0.0.1"),
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "leader.port", String.valueOf(freePort())),
                editConfigurationFilePut("etc/io.tandem.hashdb.cfg", "when.full", "block"),
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "source.file", data + "/pcaps/ordinary"),
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "source.loop.packets", "100000000"),
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "source.pps", String.valueOf(PPS)),
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "drop", "1000"),
                editConfigurationFilePut("etc/io.tandem.sync.cfg", "hashlog", "data/r2.hashes"),
                // for r1, started from inside the container: the test class path (engine classes), where it writes
                editConfigurationFilePut("etc/system.properties", "tandem.it.classpath",
                        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))),
                editConfigurationFilePut("etc/system.properties", "tandem.it.dir", dir.toString()),
                editConfigurationFilePut("etc/system.properties", "tandem.data", data)));
        return options.toArray(new Option[0]);
    }

    @Test
    public void a_theReplicaSetRuns() throws Exception {
        System.out.println("HotSwapIT: karaf.base " + System.getProperty("karaf.base"));
        assertContains(execAsAdmin("bundle:list -s"), "tandem-sync");
        startR1();
        waitFor(() -> status().contains("members    r1, r2") && status().contains("state      running") && "running".equals(r1().get("state")),
                TIMEOUT_MS, () -> "r1 and r2 bootstrapped: " + lastStatus + " / r1: " + r1());
        waitFor(() -> counter("sync.delivered") > 20_000, "r2 delivered 20,000 packets");
        assertTrue("r2 recovers what it dropped from r1", counter("sync.recovered") > 0);
        note("set running: r2 " + counter("sync.delivered") + " delivered, " + counter("sync.recovered") + " recovered from r1");
    }

    @Test
    public void b_swappingCaptureSyncHashdbOrPeerRebuildsTheFollowerWhichRejoins() throws Exception {
        for (String bundle : REBUILT) {
            swap(bundle, false);
            swap(bundle, true);
        }
    }

    @Test
    public void c_leaveAndJoin() throws Exception {
        long r1View = r1View();
        assertFails("tandem:join", "this replica already takes part (state running); tandem:leave first");
        long t0 = System.nanoTime();
        int refusals = notAdmitted().size();
        assertContains(exec("tandem:leave"), "r2 left the cluster: engine stopped, peer connections closed, capture stopped");
        String status = exec("tandem:status");
        assertContains(status, "state      left");
        assertContains(status, "members    (none: this replica left the cluster; tandem:join takes it back in)");
        assertContains(exec("tandem:peers"), "no peers (this replica left the cluster)");
        assertFails("tandem:leave", "this replica has already left the cluster (tandem:join takes it back in)");
        assertFails("tandem:join --via nowhere", "--via must be HOST:PORT of a running member, not 'nowhere'");
        long r1Delivered = r1Delivered();
        waitFor(() -> r1View() > r1View && r1Delivered() > r1Delivered + PPS, "r1 going on alone in a new view");
        rejoins++;
        String joined = exec("tandem:join");
        assertTrue(joined, joined.matches("(?s)r2 joined: members r1, r2 \\(view [0-9]+\\)\\s*"));
        awaitRejoin("leave + join", r1View, t0, refusals);
        assertFails("tandem:join", "this replica already takes part (state running); tandem:leave first");
    }

    @Test
    public void d_swappingTheShellOrTheApiLeavesTheReplicaRunning() throws Exception {
        long view = counter("sync.view");
        String members = r1().get("members");

        execAsAdmin("bundle:stop tandem-shell");
        assertOthersActive("tandem-shell");
        assertFails("tandem:status", "Command not found: tandem:status");
        execAsAdmin("bundle:start tandem-shell");
        waitFor(this::statusAnswers, "tandem:status back after starting tandem-shell");
        execAsAdmin("bundle:update tandem-shell");
        waitFor(this::statusAnswers, "tandem:status back after updating tandem-shell");
        assertOthersActive(null);

        execAsAdmin("bundle:stop tandem-api");
        assertOthersActive("tandem-api");
        assertContains(status(), "state      running");
        execAsAdmin("bundle:start tandem-api");
        // update without --refresh: the importers stay wired to the old revision, nothing restarts
        execAsAdmin("bundle:update tandem-api");
        assertOthersActive(null);
        long delivered = counter("sync.delivered");
        waitFor(() -> counter("sync.delivered") > delivered + PPS, "r2 delivering on");
        assertEquals("r2 kept its view through shell and api swaps", view, counter("sync.view"));
        assertEquals("r1 kept its members", members, r1().get("members"));
        note("shell stop/start/update and api stop/start/update: r2 stayed in view " + view);

        // --refresh rewires (stops and starts) every importer of io.tandem.api: the whole replica is rebuilt
        long r1View = r1View();
        long t0 = System.nanoTime();
        int refusals = notAdmitted().size();
        rejoins++;
        execAsAdmin("bundle:update --refresh tandem-api");
        waitFor(this::statusAnswers, "tandem:status back after refreshing tandem-api");
        awaitRejoin("tandem-api update --refresh", r1View, t0, refusals);
    }

    @Test
    public void e_theLeaderLostNothingAndEachIncarnationOfTheFollowerDeliveredItsStream() throws Exception {
        assertEquals("the probe is wired to no Tandem bundle (it could not survive their refresh otherwise)", List.of(), tandemWires());
        Thread.sleep(1500); // r2's hash log is flushed every second
        List<String> r2Log = PlainProcess.completeLines(Path.of(System.getProperty("karaf.base"), "data", "r2.hashes"));
        long recovered = counter("sync.recovered");
        PlainProcess.stop(r1, dir());
        assertEquals("r1 never failed: " + r1(), "", r1().get("failure"));
        List<String> r1Log = Files.readAllLines(dir().resolve("r1.hashes"));
        int boot = PlainProcess.assertIsTheSource(dir(), r1Log, "r1");

        // every incarnation of r2 delivered r1's stream from where it joined, at the same positions
        List<Long> starts = new ArrayList<>();
        starts.add(0L); // the first incarnation bootstrapped with r1
        Matcher m = JOINED.matcher(read(karafLog()));
        while (m.find()) starts.add(Long.parseLong(m.group(1)));
        assertEquals("one join into the running cluster per rebuild of r2: " + starts, rejoins + 1, starts.size());
        List<String> runs = PlainProcess.assertIncarnationsDeliverTheStream(r1Log, r2Log, starts, "r2");
        note("r1: " + r1Log.size() + " packets delivered = the looped source exactly from its packet " + boot + "; " + rejoins + " rejoins of r2");
        note("r2: " + r2Log.size() + " lines = r1's stream at positions " + String.join(" ", runs) + "; recovered " + recovered + " from r1");
        Files.write(dir().resolve("summary.txt"), summary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    // ------------------------------------------------------------------ steps

    /** One swap of a bundle that takes r2 apart, then its rejoin. */
    private void swap(String bundle, boolean update) throws Exception {
        long r1View = r1View();
        long t0 = System.nanoTime();
        int refusals = notAdmitted().size();
        rejoins++;
        if (update) {
            execAsAdmin("bundle:update " + bundle);
            assertOthersActive(null);
            assertContains(status(), "replica");
        } else {
            execAsAdmin("bundle:stop " + bundle);
            assertOthersActive(bundle);
            String down = status();
            assertContains(down, "no replica running: ");
            long r1Delivered = r1Delivered();
            waitFor(() -> r1View() > r1View && r1Delivered() > r1Delivered + PPS / 2, "r1 going on alone in a new view");
            execAsAdmin("bundle:start " + bundle);
            assertOthersActive(null);
        }
        awaitRejoin(bundle + (update ? " update" : " stop/start"), r1View, t0, refusals);
    }

    /** Waits until r2 runs again with r1 in a newer view than {@code r1ViewBefore} and delivers. */
    private void awaitRejoin(String what, long r1ViewBefore, long t0, int refusals) throws Exception {
        waitFor(() -> {
            List<String> refused = notAdmitted();
            // the coordinator gives up on a joiner for good: say so at once rather than after the timeout
            if (refused.size() > refusals) fail(what + ": r1, the coordinator, did not admit r2: " + refused.get(refused.size() - 1));
            String s = status();
            return s.contains("state      running") && s.contains("members    r1, r2 (view") && stat("sync.view", -1) > r1ViewBefore;
        }, REJOIN_MS, () -> what + ": r2 running again in a newer view than " + r1ViewBefore + " (r1: " + r1() + "; r2's last status:\n" + lastStatus + ")");
        double seconds = (System.nanoTime() - t0) / 1e9;
        long delivered = counter("sync.delivered");
        waitFor(() -> counter("sync.delivered") > delivered + PPS / 2, REJOIN_MS, what + ": r2 delivering after its rejoin");
        long view = counter("sync.view");
        waitFor(() -> r1View() == view && "r1,r2".equals(r1().get("members")), REJOIN_MS, () -> what + ": r1 in r2's view " + view + ": " + r1());
        assertTrue(what + ": the view rose by at least 2 (r2 lost, r2 admitted): " + r1ViewBefore + " -> " + view, view >= r1ViewBefore + 2);
        assertOthersActive(null);
        note(String.format("%-32s rejoined in %.1f s, view %d -> %d", what, seconds, r1ViewBefore, view));
    }

    // ------------------------------------------------------------------ r1, the plain Java leader

    private void startR1() throws Exception {
        if (r1 != null) return;
        Map<String, String> peer = config("io.tandem.peer");
        r1 = PlainProcess.start(dir(), "r1", Integer.parseInt(peer.get("leader.port")), peer.get("secret"), 0, PPS);
    }

    private static Path dir() {
        return Path.of(System.getProperty("tandem.it.dir"));
    }

    private static Map<String, String> r1() {
        return PlainProcess.status(dir());
    }

    private static List<String> notAdmitted() {
        return PlainProcess.notAdmitted(dir(), "r1");
    }

    private static long r1View() {
        return PlainProcess.number(dir(), "view");
    }

    private static long r1Delivered() {
        return PlainProcess.number(dir(), "delivered");
    }

    // ------------------------------------------------------------------ r2, through the shell

    private volatile String lastStatus = "";

    /** {@code tandem:status}, or the error it answered with. */
    private String status() {
        try {
            lastStatus = exec("tandem:status");
        } catch (Exception e) {
            lastStatus = "(failed: " + e.getMessage() + ")";
        }
        return lastStatus;
    }

    private boolean statusAnswers() {
        return status().startsWith("replica ");
    }

    private long counter(String name) {
        long v = stat(name, Long.MIN_VALUE);
        if (v == Long.MIN_VALUE) throw new AssertionError("no counter " + name + " in tandem:stats");
        return v;
    }

    private Map<String, String> config(String pid) throws IOException {
        Map<String, String> out = new HashMap<>();
        var props = configAdmin.getConfiguration(pid, null).getProperties();
        for (var keys = props.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            out.put(k, String.valueOf(props.get(k)));
        }
        return out;
    }

    // ------------------------------------------------------------------ checks

    private void assertOthersActive(String stopped) {
        for (String name : TANDEM) {
            Bundle b = bundle(name);
            if (name.equals(stopped)) assertEquals(name + " stopped", Bundle.RESOLVED, b.getState());
            else assertEquals(name + " active" + (stopped == null ? "" : " while " + stopped + " is stopped"), Bundle.ACTIVE, b.getState());
        }
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) if (symbolicName.equals(b.getSymbolicName())) return b;
        throw new AssertionError("no bundle " + symbolicName);
    }

    /** Tandem bundles this probe is wired to (must stay none). */
    private List<String> tandemWires() {
        List<String> out = new ArrayList<>();
        BundleWiring w = context.getBundle().adapt(BundleWiring.class);
        for (BundleWire wire : w.getRequiredWires(null)) {
            String name = wire.getProvider().getBundle().getSymbolicName();
            if (name.startsWith("tandem-")) out.add(name);
        }
        return out;
    }

    private static void waitFor(BooleanSupplier condition, long timeoutMs, String what) throws InterruptedException {
        waitFor(condition, timeoutMs, () -> what);
    }

    /** {@code what} is asked for only on a timeout (it may show the state then). */
    private static void waitFor(BooleanSupplier condition, long timeoutMs, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) fail("timed out after " + timeoutMs + " ms waiting for: " + what.get());
            Thread.sleep(100);
        }
    }

    private static void note(String line) {
        summary.add(line);
        System.out.println("HotSwapIT: " + line);
    }
}
