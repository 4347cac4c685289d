package io.tandem.itests;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three replicas, each the built distribution in a Karaf of its own, capture live on a lossy hub and deliver one
 * stream. The network test bed ({@code karaf-assembly/testbed/testbed.sh up 3 --loss 10}) gives every replica
 * its own namespace, a {@code cap0} that sees every replayed frame except an independent 1 % that nft drops (and
 * counts) on the way to it, and a control network 10.77.0.I/24 the replicas talk over. The replicas are
 * configured only through their etc/*.cfg files (random cluster secret, r1 leads and waits for 2 peers).
 *
 * <p>Traffic: a short warm-up until all three bootstrapped (bootstrap needs packets), the measured stream (two
 * real captures looped to over 100,000 packets at {@value #DEFAULT_PPS} packets/s), and a short trailer that
 * completes the measured stream's last rounds. Then every replica's hash log must be the same, line for line;
 * every line must be a replayed packet; the measured stream must be delivered complete but for
 * at most {@value #SET_LOSS_BOUND} packets (every replica would have to lose the same one: ~10^-6 per packet), with
 * nothing delivered twice and at most {@value #REORDER_BOUND} packets out of replay order (two neighbours that no
 * replica captured both of cannot be ordered by anyone);
 * each replica must have lost ~1 % on its port and recovered packets from its peers.
 *
 * <p>Needs root, iproute2, nftables, tcpreplay (.ci/run installs them): fails, never skips, without them.
 * {@code -Dtandem.live.pps=N}, {@code -Dtandem.live.loops=L} and {@code -Dtandem.live.captures=a.pcap,b.pcap} (under
 * pcaps/) change the measured stream's rate, length and content.
 */
@Timeout(value = 235, unit = TimeUnit.SECONDS)
class LiveReplicaSetIT {
    private static final int N = 3;
    private static final int LOSS_PERMILLE = 10;
    private static final String PREFIX = "tbit-";
    private static final String NET = "10.77.0";
    private static final int DEFAULT_PPS = 10_000;
    private static final int PPS = Integer.getInteger("tandem.live.pps", DEFAULT_PPS);
    private static final int LOOPS = Integer.getInteger("tandem.live.loops", 10);
    /** The measured stream's captures, under the data directory's pcaps/ (no hash shared with warm-up or trailer). */
    private static final String MEASURED = System.getProperty("tandem.live.captures", "ordinary/ftp_cwd-navigation.pcap,ordinary/ndpi_netflix.pcap");
    private static final int WARM_UP_PPS = 1000;
    private static final int SET_LOSS_BOUND = 5;
    private static final int REORDER_BOUND = 10;
    /** The shipped snippet and cluster size (etc/io.tandem.sync.cfg defaults). */
    private static final int SNIPPET = io.tandem.api.ClusterParameters.DEFAULTS.snippet();
    private static final int K = io.tandem.api.ClusterParameters.DEFAULTS.clusterSize();
    private static final String USER = "tandem";

    private TestBed bed;
    private final List<KarafReplica> replicas = new ArrayList<>();
    private Thread shutdownHook;
    private volatile boolean tornDown;

    @Test
    void threeLiveReplicasOnALossyHubDeliverOneCompleteIdenticalStream() throws Exception {
        TestBed.requireRootAndTools();
        Path data = Path.of(required("tandem.data"));
        Path distribution = Path.of(required("tandem.distribution"));
        assertTrue(Files.isRegularFile(distribution), "no distribution at " + distribution + " (build karaf-assembly first)");
        Path module = Path.of("").toAbsolutePath();
        Path script = module.resolve("../karaf-assembly/testbed/testbed.sh").normalize();
        assertTrue(Files.isReadable(script), "no test bed script at " + script);
        Path work = module.resolve("target/live-replicas");

        // The traffic, and the hashes every replica must deliver in this order.
        List<Path> warmUp = List.of(data.resolve("pcaps/attacks/ppa2e_arppoison.pcap"));
        List<Path> measured = Stream.of(MEASURED.split(",")).map(String::strip).map(f -> data.resolve("pcaps").resolve(f)).toList();
        List<Path> trailer = List.of(data.resolve("pcaps/ordinary/pe_pe.pcap"));
        List<String> warmUpHashes = hashes(warmUp);
        List<String> once = hashes(measured);
        List<String> stream = new ArrayList<>();
        for (int i = 0; i < LOOPS; i++) stream.addAll(once);
        List<String> trailerHashes = hashes(trailer);
        Set<String> warmUpSet = new HashSet<>(warmUpHashes);
        Set<String> streamSet = new HashSet<>(once);
        Set<String> trailerSet = new HashSet<>(trailerHashes);
        assertTrue(stream.size() >= 100_000, "the measured stream has " + stream.size() + " packets; raise -Dtandem.live.loops");
        assertTrue(disjoint(warmUpSet, streamSet) && disjoint(streamSet, trailerSet) && disjoint(warmUpSet, trailerSet),
                "warm-up, measured stream and trailer must not share packet hashes, or the hash logs cannot be attributed");

        bed = new TestBed(script, PREFIX, NET);
        shutdownHook = new Thread(this::tearDown, "live-replicas-teardown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        bed.down(); // leftovers of an earlier, killed run
        deleteRecursively(work);
        say(bed.up(N, LOSS_PERMILLE).strip());

        // Three installations, configured through their cfg files only.
        String secret = random(24);
        String password = random(18);
        for (int i = 1; i <= N; i++) {
            KarafReplica r = new KarafReplica(i, work.resolve("r" + i), bed, USER, password);
            r.unpack(distribution);
            r.set("io.tandem.capture.cfg", "interface", "cap0");
            r.set("io.tandem.capture.cfg", "promiscuous", "true");
            r.set("io.tandem.capture.cfg", "snaplen", "1514");
            r.set("io.tandem.capture.cfg", "buffer.size", "16m");
            r.set("io.tandem.capture.cfg", "immediate", "true");
            r.set("io.tandem.hashdb.cfg", "when.full", "drop"); // a live interface cannot wait
            r.set("io.tandem.peer.cfg", "secret", secret);
            r.set("io.tandem.peer.cfg", "replica.id", r.id);
            r.set("io.tandem.peer.cfg", "listen.host", NET + "." + i);
            r.set("io.tandem.peer.cfg", "listen.port", "4000");
            if (i > 1) {
                r.set("io.tandem.peer.cfg", "leader.host", NET + ".1");
                r.set("io.tandem.peer.cfg", "leader.port", "4000");
            }
            r.set("io.tandem.sync.cfg", "boot.peers", String.valueOf(N - 1));
            r.set("io.tandem.sync.cfg", "boot.wait", "0");
            r.set("io.tandem.sync.cfg", "hashlog", r.hashLog().toString());
            r.addUser();
            replicas.add(r);
        }
        long start = System.nanoTime();
        for (KarafReplica r : replicas) r.start();
        waitFor(Duration.ofSeconds(120), "every replica to start and the followers to log in to the leader",
                () -> replicas.stream().allMatch(r -> r.logText().contains("replica " + r.id + " started as " + (r.index == 1 ? "leader" : "follower"))));
        say(String.format("replicas started and joined after %.1f s", (System.nanoTime() - start) / 1e9));

        // Bootstrap needs packets: the leader takes its boot hashes from what it captures once its peers joined.
        long sent = 0;
        int chunks = 0;
        while (!replicas.stream().allMatch(r -> r.logText().contains(r.id + ": bootstrapped, members [r1, r2, r3]"))) {
            failOnError();
            if (chunks == 30) fail("not bootstrapped after " + chunks + " warm-up replays of " + warmUp + diagnostics());
            TestBed.Replay w = bed.replay(warmUp, WARM_UP_PPS, 1);
            assertEquals(0, w.failed(), "warm-up frames tcpreplay could not send:\n" + w.output());
            sent += w.sent();
            chunks++;
            Thread.sleep(1000);
        }
        say(String.format("bootstrapped after %.1f s, %d warm-up replays (%d packets)", (System.nanoTime() - start) / 1e9, chunks, sent));
        Map<String, Long> rssBoot = rss();

        // The measured stream, then the trailer that lets its last rounds complete.
        long replayStart = System.nanoTime();
        TestBed.Replay m = bed.replay(measured, PPS, LOOPS);
        double replaySeconds = (System.nanoTime() - replayStart) / 1e9;
        assertEquals(0, m.failed(), "frames tcpreplay could not send:\n" + m.output());
        assertEquals(stream.size(), m.sent(), "tcpreplay sent another count than the captures hold:\n" + m.output());
        sent += m.sent();
        say(String.format("replayed %d packets in %.1f s (%s)", m.sent(), replaySeconds, m.rated()));
        TestBed.Replay t = bed.replay(trailer, PPS, 1);
        assertEquals(0, t.failed(), "trailer frames tcpreplay could not send:\n" + t.output());
        sent += t.sent();

        // Delivered everything: the hash logs stop growing, at the same length.
        long quietSince = System.nanoTime();
        List<Long> last = List.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            failOnError();
            List<Long> now = replicas.stream().map(KarafReplica::hashLogLines).toList();
            if (!now.equals(last)) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(now.stream().distinct().count() == 1 ? 5 : 15)) {
                break; // settled (at different lengths only if the replicas disagree: the checks below say how)
            }
            if (System.nanoTime() > deadline) fail("the replicas did not settle on one delivered count within 90 s after the replay: hash log lines " + now + diagnostics());
            Thread.sleep(500);
        }
        say(String.format("delivered %d packets each, settled %.1f s after the replay ended", last.get(0),
                (quietSince - replayStart) / 1e9 - replaySeconds));
        Map<String, Long> rssEnd = rss();

        // What happened, from the hub's nft counters and each replica's shell.
        Map<Integer, TestBed.Counters> nft = bed.counters();
        Map<String, String> shells = shellAll("tandem:status", "tandem:stats --json");
        Map<String, Map<String, Long>> stats = new LinkedHashMap<>();
        for (KarafReplica r : replicas) stats.put(r.id, KarafReplica.counters(shells.get(r.id)));
        Map<String, List<String>> logs = new LinkedHashMap<>();
        for (KarafReplica r : replicas) logs.put(r.id, Files.readAllLines(r.hashLog(), StandardCharsets.US_ASCII));

        say("replica  nft-dropped nft-forwarded  captured src-dropped queue-full  recovered   served  delivered  rss-boot rss-end (MiB)");
        for (KarafReplica r : replicas) {
            TestBed.Counters c = nft.get(r.index);
            Map<String, Long> s = stats.get(r.id);
            say(String.format("%-8s %12d %13d %9d %11d %10d %10d %8d %10d %9.0f %7.0f", r.id, c.dropped(), c.forwarded(), s.get("capture.seen"),
                    s.get("capture.source.dropped"), s.get("queue.dropped.full"), s.get("sync.recovered"), s.get("sync.served"),
                    s.get("sync.delivered"), rssBoot.get(r.id) / 1024.0, rssEnd.get(r.id) / 1024.0));
        }
        say("tandem:status of r2:\n" + shells.get("r2").strip());

        List<String> failures = new ArrayList<>();
        // 1. Every replica delivered the same stream.
        List<String> reference = logs.get("r1");
        for (KarafReplica r : replicas) {
            List<String> l = logs.get(r.id);
            if (!l.equals(reference)) failures.add(r.id + "'s hash log differs from r1's: " + firstDifference(reference, l));
            long delivered = stats.get(r.id).get("sync.delivered");
            if (delivered != l.size()) failures.add(r.id + ": tandem:stats says " + delivered + " delivered, its hash log has " + l.size() + " lines");
            if (!stats.get(r.id).containsKey("sync.round") || !shells.get(r.id).contains("state      running")) {
                failures.add(r.id + " is not running:\n" + shells.get(r.id));
            }
        }
        // 2. Every delivered packet was replayed, in replay order: warm-up tail, measured stream, trailer head.
        List<String> deliveredWarmUp = new ArrayList<>(), deliveredStream = new ArrayList<>(), deliveredTrailer = new ArrayList<>(), foreign = new ArrayList<>();
        int phase = 0;
        boolean ordered = true;
        for (String h : reference) {
            int p;
            if (warmUpSet.contains(h)) {
                p = 0;
                deliveredWarmUp.add(h);
            } else if (streamSet.contains(h)) {
                p = 1;
                deliveredStream.add(h);
            } else if (trailerSet.contains(h)) {
                p = 2;
                deliveredTrailer.add(h);
            } else {
                foreign.add(h);
                continue;
            }
            ordered &= p >= phase;
            phase = Math.max(phase, p);
        }
        if (!foreign.isEmpty()) failures.add(foreign.size() + " delivered hashes were never replayed, e.g. " + foreign.subList(0, Math.min(5, foreign.size())));
        if (!ordered) failures.add("warm-up, measured stream and trailer packets are interleaved in the delivered stream");
        // The measured stream: complete but for what every replica lost, nothing twice, in replay order but for
        // neighbours no replica captured both of (their order is unknowable; ~6e-6 per packet at 1 % loss each).
        StreamCheck.Result ms = StreamCheck.compare(stream, deliveredStream);
        say(String.format("measured stream: %d replayed, %d delivered; lost by the set %d%s; delivered but not replayed (or twice) %d; out of replay order %d%s",
                stream.size(), deliveredStream.size(), ms.missing().size(),
                ms.missing().isEmpty() ? "" : " (" + ms.missing().stream().limit(20).map(i -> "loop " + (i / once.size()) + " packet " + (i % once.size()))
                        .collect(Collectors.joining(", ")) + ")",
                ms.extra().size(), ms.displaced().size(), ms.displaced().isEmpty() ? "" : " (" + ms.displacedText(10) + ")"));
        // A packet the set lost is one that every replica failed to capture and could not recover.
        long unrecoverable = Long.MAX_VALUE;
        for (KarafReplica r : replicas) {
            Map<String, Long> s = stats.get(r.id);
            long lacked = nft.get(r.index).dropped() + s.get("capture.source.dropped") + s.get("queue.dropped.full");
            unrecoverable = Math.min(unrecoverable, lacked - s.get("sync.recovered"));
        }
        say("packets a replica lacked and did not recover (nft + libpcap + queue drops - recovered), fewest: " + unrecoverable);
        if (ms.missing().size() > unrecoverable) {
            failures.add("the set lost " + ms.missing().size() + " measured-stream packets, but one replica lacked only " + unrecoverable + " packets it did not recover");
        }
        if (ms.missing().size() > SET_LOSS_BOUND) failures.add("the set lost " + ms.missing().size() + " of the measured stream's " + stream.size() + " packets (bound " + SET_LOSS_BOUND + ")");
        if (!ms.extra().isEmpty()) failures.add(ms.extra().size() + " measured-stream packets were delivered more often than replayed, e.g. " + ms.extra().subList(0, Math.min(5, ms.extra().size())));
        if (ms.displaced().size() > REORDER_BOUND) failures.add(ms.displaced().size() + " measured-stream packets out of replay order (bound " + REORDER_BOUND + "): " + ms.displacedText(20));
        // Warm-up (from the boot point on) and trailer (up to a last partial round): nothing extra, in order.
        List<String> warmUpReplayed = new ArrayList<>();
        for (int i = 0; i < chunks; i++) warmUpReplayed.addAll(warmUpHashes);
        StreamCheck.Result ws = StreamCheck.compare(warmUpReplayed, deliveredWarmUp);
        StreamCheck.Result ts = StreamCheck.compare(trailerHashes, deliveredTrailer);
        for (StreamCheck.Result x : List.of(ws, ts)) {
            String what = x == ws ? "warm-up" : "trailer";
            if (!x.extra().isEmpty()) failures.add(x.extra().size() + " " + what + " packets were delivered more often than replayed");
            if (x.displaced().size() > REORDER_BOUND) failures.add(x.displaced().size() + " " + what + " packets out of replay order: " + x.displacedText(20));
        }
        if (deliveredTrailer.isEmpty()) failures.add("no trailer packet was delivered: the measured stream's last rounds may not have closed");
        say(String.format("warm-up packets delivered %d of %d (from the boot point on), trailer %d of %d (a last partial round of up to %d waits for more packets)",
                deliveredWarmUp.size(), warmUpReplayed.size(), deliveredTrailer.size(), trailerHashes.size(), K - 1));
        // 3. Each replica lost ~1 % on its own port and got those packets back from its peers.
        for (KarafReplica r : replicas) {
            TestBed.Counters c = nft.get(r.index);
            Map<String, Long> s = stats.get(r.id);
            if (c.lossPermille() != LOSS_PERMILLE) failures.add(r.id + ": nft loss is " + c.lossPermille() + " per mille, expected " + LOSS_PERMILLE);
            if (c.dropped() + c.forwarded() != sent) failures.add(r.id + ": nft dropped " + c.dropped() + " + forwarded " + c.forwarded() + " != " + sent + " sent");
            double rate = (double) c.dropped() / sent;
            if (c.dropped() == 0 || rate < 0.005 || rate > 0.015) failures.add(r.id + ": nft dropped " + c.dropped() + " of " + sent + " (" + rate + "), expected ~1 %");
            if (c.cap0Sent() != 0) failures.add(r.id + ": " + c.cap0Sent() + " frames left its capture interface");
            if (s.get("sync.recovered") <= 0) failures.add(r.id + ": recovered no packet from its peers (sync.recovered " + s.get("sync.recovered") + ")");
            if (s.get("capture.seen") > c.forwarded()) failures.add(r.id + ": captured " + s.get("capture.seen") + " packets, more than the " + c.forwarded() + " nft let through");
        }
        if (!failures.isEmpty()) fail(String.join("\n", failures) + diagnostics());
    }

    @AfterEach
    void tearDown() {
        if (tornDown || bed == null) return;
        tornDown = true;
        boolean interrupted = Thread.interrupted(); // a timed-out test leaves its interrupt behind
        for (KarafReplica r : replicas) r.kill();
        say(bed.down().strip());
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or ran
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static String firstDifference(List<String> a, List<String> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) i++;
        return "lengths " + a.size() + " and " + b.size() + ", first difference at line " + (i + 1) + ": "
                + (i < a.size() ? a.get(i) : "(end)") + " vs " + (i < b.size() ? b.get(i) : "(end)");
    }

    private Map<String, Long> rss() throws IOException, InterruptedException {
        Map<String, Long> m = new LinkedHashMap<>();
        for (KarafReplica r : replicas) m.put(r.id, r.rssKiB());
        say("Karaf RSS: " + m.entrySet().stream().map(e -> e.getKey() + " " + (e.getValue() / 1024) + " MiB").collect(Collectors.joining(", ")));
        return m;
    }

    /** The same shell commands at every replica, at once (each bin/client is a JVM of its own). */
    private Map<String, String> shellAll(String... commands) throws InterruptedException {
        Map<String, String> out = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, Throwable> errors = new java.util.concurrent.ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (KarafReplica r : replicas) {
            Thread t = new Thread(() -> {
                try {
                    out.put(r.id, r.shell(commands));
                } catch (Throwable e) {
                    errors.put(r.id, e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) t.join();
        if (!errors.isEmpty()) fail("bin/client failed: " + errors + diagnostics());
        return out;
    }

    private void failOnError() {
        for (KarafReplica r : replicas) {
            if (!r.alive()) fail(r.id + "'s Karaf ended" + diagnostics());
            String log = r.logText();
            for (String bad : List.of("replica could not start", "sync stopped", "bootstrap failed")) {
                if (log.contains(bad)) fail(r.id + ": '" + bad + "' in its log" + diagnostics());
            }
        }
    }

    private void waitFor(Duration limit, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            failOnError();
            if (System.nanoTime() > deadline) fail("timed out after " + limit.toSeconds() + " s waiting for " + what + diagnostics());
            Thread.sleep(250);
        }
    }

    /** The tandem, warning and error lines of every replica's log, for a failure message. */
    private String diagnostics() {
        StringBuilder b = new StringBuilder();
        for (KarafReplica r : replicas) {
            List<String> lines = r.logText().lines()
                    .filter(l -> l.contains("tandem") || l.contains("WARN") || l.contains("ERROR")).toList();
            b.append("\n--- ").append(r.id).append(" (").append(r.log()).append("), last lines:\n");
            lines.subList(Math.max(0, lines.size() - 25), lines.size()).forEach(l -> b.append("  ").append(l).append('\n'));
        }
        return b.toString();
    }

    private static List<String> hashes(List<Path> pcaps) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path p : pcaps) {
            assertTrue(Files.isReadable(p), "capture " + p + " not found");
            out.addAll(PcapHashes.of(p, SNIPPET));
        }
        return out;
    }

    private static boolean disjoint(Set<String> a, Set<String> b) {
        return a.stream().noneMatch(b::contains);
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) fail("system property " + property + " is not set (itests/pom.xml passes it to failsafe)");
        return v;
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static void say(String line) {
        System.out.println("[live] " + line.replace("\n", "\n[live] "));
    }
}
