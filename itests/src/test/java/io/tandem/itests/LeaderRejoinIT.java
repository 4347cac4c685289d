package io.tandem.itests;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

/**
 * The configured leader leaves and joins again. r1, the replica under test, is this container and leads
 * ({@code leader.host} empty, 1 % random drop); r2 is a lossless follower in a plain Java process
 * ({@link PlainReplica}). After {@code tandem:leave} r2 goes on alone. {@code tandem:join} alone is refused (a
 * leader would bootstrap a cluster of its own); {@code tandem:join --via} r2 makes r1 r2's follower, and r2, the
 * coordinator now, boots it into the running stream. Then a capture swap at r1, a follower now, rejoins it like any
 * follower. r2 must deliver the source exactly throughout, and each incarnation of r1 r2's stream from its join on.
 * Then every member goes: r2 stops and r1 leaves. r1 follows r2 now, which is gone; {@code tandem:join --lead} makes it
 * the configured leader again, and a new r2 following it bootstraps a new cluster with it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LeaderRejoinIT extends TandemTestSupport {
    private static final int PPS = 20_000;
    private static final long WAIT_MS = 40_000;
    private static final Pattern JOINED = Pattern.compile("r1: bootstrapped into a running cluster at (\\d+)");

    @Configuration
    public Option[] config() throws IOException {
        String data = System.getProperty("tandem.data");
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        List<Option> options = new ArrayList<>(distribution());
        options.addAll(List.of(
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "secret", HexFormat.of().formatHex(secret)),
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "replica.id", "r1"),
                editConfigurationFilePut("etc/io.tandem.peer.cfg", "listen.port", String.valueOf(freePort())),
                editConfigurationFilePut("etc/io.tandem.hashdb.cfg", "when.full", "block"),
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "source.file", data + "/pcaps/ordinary"),
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "source.loop.packets", "100000000"),
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "source.pps", String.valueOf(PPS)),
                editConfigurationFilePut("etc/io.tandem.capture.cfg", "drop", "1000"),
                editConfigurationFilePut("etc/io.tandem.sync.cfg", "boot.peers", "1"),
                editConfigurationFilePut("etc/io.tandem.sync.cfg", "hashlog", "data/r1.hashes"),
                editConfigurationFilePut("etc/system.properties", "tandem.it.classpath",
                        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))),
                editConfigurationFilePut("etc/system.properties", "tandem.it.dir", Path.of("target", "leader-rejoin").toAbsolutePath().toString()),
                editConfigurationFilePut("etc/system.properties", "tandem.it.r2.port", String.valueOf(freePort())),
                editConfigurationFilePut("etc/system.properties", "tandem.data", data)));
        return options.toArray(new Option[0]);
    }

    @Test
    public void theConfiguredLeaderLeavesAndJoinsAgainAsAFollowerThroughARunningMember() throws Exception {
        Path dir = Path.of(System.getProperty("tandem.it.dir"));
        int r2Port = Integer.getInteger("tandem.it.r2.port");
        var peer = configAdmin.getConfiguration("io.tandem.peer", null).getProperties();
        Process r2 = PlainProcess.start(dir, "r2", r2Port, peer.get("secret").toString(), Integer.parseInt(peer.get("listen.port").toString()), PPS);
        try {
            waitFor(() -> exec0("tandem:status").contains("members    r1, r2 (view 0)") && "running".equals(PlainProcess.status(dir).get("state")),
                    () -> "r1 and r2 bootstrapped: " + exec0("tandem:status"));
            assertContains(exec("tandem:status"), "replica    r1 (leader)");
            waitFor(() -> stat("sync.delivered", 0) > 20_000, () -> "r1 delivering");

            assertFails("tandem:join", "this replica already takes part (state running); tandem:leave first");
            assertContains(exec("tandem:leave"), "r1 left the cluster");
            long delivered = PlainProcess.number(dir, "delivered");
            waitFor(() -> PlainProcess.number(dir, "view") >= 1 && "r2".equals(PlainProcess.status(dir).get("members"))
                    && PlainProcess.number(dir, "delivered") > delivered + PPS, () -> "r2 going on alone: " + PlainProcess.status(dir));
            assertFails("tandem:join", "this replica is the configured leader (io.tandem.peer leader.host is empty): to join the running cluster give --via HOST:PORT");

            int refusals = PlainProcess.notAdmitted(dir, "r2").size();
            String joined = exec("tandem:join --via 127.0.0.1:" + r2Port);
            assertTrue(joined + "\nr2: " + PlainProcess.notAdmitted(dir, "r2"), joined.matches("(?s)r1 joined: members r1, r2 \\(view [0-9]+\\)\\s*"));
            assertContains(exec("tandem:status"), "replica    r1 (follower)");
            var now = configAdmin.getConfiguration("io.tandem.peer", null).getProperties();
            assertEquals("127.0.0.1", now.get("leader.host"));
            assertEquals(String.valueOf(r2Port), now.get("leader.port").toString());
            awaitSameView(dir, "join --via", refusals);

            // a follower now: a capture swap rebuilds it and r2 boots it in again
            refusals = PlainProcess.notAdmitted(dir, "r2").size();
            long view = stat("sync.view", -1);
            execAsAdmin("bundle:update tandem-capture");
            waitFor(() -> stat("sync.view", -1) > view, () -> "r1 rejoined after the capture swap: " + exec0("tandem:status") + "\nr2: " + PlainProcess.status(dir));
            awaitSameView(dir, "capture swap", refusals);

            Thread.sleep(1500); // r1's hash log is flushed every second
            List<String> r1Log = PlainProcess.completeLines(Path.of(System.getProperty("karaf.base"), "data", "r1.hashes"));
            PlainProcess.stop(r2, dir);
            assertEquals("r2 never failed", "", PlainProcess.status(dir).get("failure"));
            List<String> r2Log = Files.readAllLines(dir.resolve("r2.hashes"));
            PlainProcess.assertIsTheSource(dir, r2Log, "r2");
            List<Long> starts = new ArrayList<>(List.of(0L));
            Matcher m = JOINED.matcher(read(karafLog()));
            while (m.find()) starts.add(Long.parseLong(m.group(1)));
            assertEquals("r1 joined twice: " + starts, 3, starts.size());
            List<String> runs = PlainProcess.assertIncarnationsDeliverTheStream(r2Log, r1Log, starts, "r1");
            System.out.println("LeaderRejoinIT: r2 " + r2Log.size() + " packets = the source; r1 " + r1Log.size() + " lines = r2's stream at " + String.join(" ", runs));

            // every member gone: r2 stopped, r1 leaves too; it follows r2, so only --lead forms a cluster again
            assertContains(exec("tandem:leave"), "r1 left the cluster");
            Thread.sleep(1500);
            int before = PlainProcess.completeLines(Path.of(System.getProperty("karaf.base"), "data", "r1.hashes")).size();
            assertContains(exec("tandem:join --lead"), "r1 leads a new cluster");
            assertEquals("", configAdmin.getConfiguration("io.tandem.peer", null).getProperties().get("leader.host"));
            assertContains(exec("tandem:status"), "replica    r1 (leader)");
            Path again = dir.resolve("again");
            r2 = PlainProcess.start(again, "r2", r2Port, peer.get("secret").toString(), Integer.parseInt(peer.get("listen.port").toString()), PPS);
            waitFor(() -> exec0("tandem:status").contains("members    r1, r2 (view 0)") && "running".equals(PlainProcess.status(again).get("state"))
                    && PlainProcess.number(again, "delivered") > PPS, () -> "r1 and a new r2 formed a cluster: " + exec0("tandem:status") + "\nr2: " + PlainProcess.status(again));
            Thread.sleep(1500);
            List<String> reformed = PlainProcess.completeLines(Path.of(System.getProperty("karaf.base"), "data", "r1.hashes"));
            reformed = reformed.subList(before, reformed.size());
            PlainProcess.stop(r2, again);
            assertEquals("the new r2 never failed", "", PlainProcess.status(again).get("failure"));
            List<String> r2Again = Files.readAllLines(again.resolve("r2.hashes"));
            PlainProcess.assertIsTheSource(again, r2Again, "the new r2");
            int shared = Math.min(reformed.size(), r2Again.size());
            assertTrue("r1 delivers in the new cluster: " + reformed.size(), shared > PPS / 2);
            assertEquals("r1's stream in the new cluster is the new r2's", r2Again.subList(0, shared), reformed.subList(0, shared));
            System.out.println("LeaderRejoinIT: re-formed with --lead; r1 and the new r2 agree over " + shared + " packets");
        } finally {
            if (r2.isAlive()) r2.destroyForcibly();
        }
    }

    /** r1 runs again, r2 is in its view with both members, and r1 delivers. */
    private void awaitSameView(Path dir, String what, int refusals) throws Exception {
        waitFor(() -> {
            List<String> refused = PlainProcess.notAdmitted(dir, "r2");
            if (refused.size() > refusals) fail(what + ": r2, the coordinator, did not admit r1: " + refused.get(refused.size() - 1));
            long view = stat("sync.view", -1);
            return exec0("tandem:status").contains("state      running") && view > 0 && PlainProcess.number(dir, "view") == view
                    && "r1,r2".equals(PlainProcess.status(dir).get("members"));
        }, () -> what + ": r1 and r2 in one view: " + exec0("tandem:status") + "\nr2: " + PlainProcess.status(dir));
        long delivered = stat("sync.delivered", 0);
        waitFor(() -> stat("sync.delivered", 0) > delivered + PPS / 2, () -> what + ": r1 delivering again");
    }

    private String exec0(String command) {
        try {
            return exec(command);
        } catch (Exception e) {
            return "(failed: " + e.getMessage() + ")";
        }
    }

    private static void waitFor(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) fail("timed out after " + WAIT_MS + " ms waiting for: " + what.get());
            Thread.sleep(100);
        }
    }
}
