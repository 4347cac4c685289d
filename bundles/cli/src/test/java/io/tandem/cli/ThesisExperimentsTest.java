package io.tandem.cli;

import io.tandem.capture.LoopedCapture;
import io.tandem.sync.SyncSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The thesis's experiments (sections 5.5 and 5.6) on real captures looped to 200,000 packets, each replica with
 * its own engine, database and MINA sockets on 127.0.0.1.
 */
class ThesisExperimentsTest {
    static final long PACKETS = 200_000;
    static LoopedCapture capture;

    @BeforeAll
    static void load() throws Exception {
        capture = LoopedCapture.load(Path.of(Main.defaultSource()));
        assertTrue(capture.size() > 10_000, "the shared everyday captures are loaded");
    }

    static Sim.Report sim(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("--packets", Long.toString(PACKETS)));
        argv.addAll(Arrays.asList(args));
        SimRun run = SimRun.of(capture, argv.toArray(String[]::new));
        Sim.Report r = run.report();
        String last = run.out().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("sim replicas=" + r.replicas() + " packets=" + PACKETS + " delivered=" + r.delivered()), last);
        return r;
    }

    /** Section 5.5, figure 16: one replica loses packets, the other does not; both deliver the source exactly. */
    @ParameterizedTest(name = "drop {0}/100000 at r{2}, k={1}")
    @CsvSource({"50,8,2", "50,56,1", "50,1024,2", "500,8,1", "500,56,2", "500,1024,1",
            "5000,8,2", "5000,56,1", "5000,1024,2", "50000,8,1", "50000,56,2", "50000,1024,1"})
    void oneLossyReplicaIsMadeWholeByTheOther(int drop, int k, int lossy) throws Exception {
        Sim.Report r = sim("--replicas", "2", "--cluster", Integer.toString(k), "--drop", "r" + lossy + "=" + drop);
        assertTrue(r.identical(), "both replicas deliver the same stream");
        assertEquals(0, r.setLost(), "nothing lost by the set");
        assertEquals(0, r.duplicated(), "nothing delivered twice");
        assertArrayEquals(new int[]{0, 0}, r.diffVsSource(), "each delivered log equals the source log, same order");
        assertEquals(r.expected(), r.delivered());
    }

    /** Section 5.6, figures 17-19: every replica drops independently; set loss near the product of the rates. */
    @ParameterizedTest(name = "{0} replicas dropping {1}/100000 each")
    @CsvSource({"2,500", "2,5000", "3,500", "3,5000", "5,500", "5,5000"})
    void independentLossesLeaveOnlyWhatEveryoneLost(int replicas, int drop) throws Exception {
        List<String> args = new ArrayList<>(List.of("--replicas", Integer.toString(replicas), "--seed", "7"));
        for (int i = 1; i <= replicas; i++) args.addAll(List.of("--drop", "r" + i + "=" + drop));
        Sim.Report r = sim(args.toArray(String[]::new));
        assertTrue(r.identical(), "all delivered logs identical");
        // Losses are independent Bernoulli draws: set loss ~ Poisson(theory); allow 5 standard deviations.
        double bound = 5 * Math.sqrt(Math.max(r.theory(), 1)) + 2;
        assertTrue(Math.abs(r.setLost() - r.theory()) <= bound,
                "set lost " + r.setLost() + " vs theory " + r.theory() + " (bound " + bound + ")");
        // Only a packet whose hash repeats inside the window can be delivered twice when every replica is lossy
        // (docs/sync.md, "Known limit"); with the 128-byte snippet those are byte-identical frames, which seed 7
        // leaves alone at these rates.
        assertEquals(0, r.duplicated(), "delivered twice");
        for (int d : r.diffVsSource()) {
            assertTrue(d >= r.setLost() + r.duplicated(), "diff counts at least the lost and doubled packets");
            assertTrue(d <= 20 * (r.setLost() + r.duplicated()) + 20, "beyond those, only local reorderings: " + d);
        }
    }

    /** Burst loss in the thesis's period format: 60 consecutive packets of every 2000 at one replica. */
    @Test
    void burstLossAtOneReplica() throws Exception {
        Sim.Report r = sim("--replicas", "3", "--cluster", "8", "--drop", "r2=p100000,D60,I2000");
        assertTrue(r.identical());
        assertEquals(0, r.setLost());
        assertEquals(0, r.duplicated());
        assertArrayEquals(new int[]{0, 0, 0}, r.diffVsSource());
    }

    /** Bootstrap: followers capture long before the leader; the leader's boot packets are found from the end. */
    @Test
    void followersStartCapturingBeforeTheLeader() throws Exception {
        Sim.Report r = sim("--replicas", "3", "--leader-late", "20000", "--drop", "r2=2500", "--drop", "r3=2500");
        assertTrue(r.identical());
        assertTrue(r.bootIndex() >= 20_000, "the stream starts where the leader joined: " + r.bootIndex());
        assertEquals(0, r.diffVsSource()[0]);
        assertEquals(r.expected(), r.delivered());
    }

    /** Mode 0: the sync thread captures each round's packets itself. */
    @Test
    void veryPessimisticModeAlignsToo() throws Exception {
        Sim.Report r = sim("--replicas", "2", "--mode", "0", "--drop", "r2=5000");
        assertTrue(r.identical());
        assertEquals(0, r.setLost());
        assertArrayEquals(new int[]{0, 0}, r.diffVsSource());
    }

    /** The rounds limit stops every replica at the same round; the hash logs are written as the thesis's -h. */
    @Test
    void roundsLimitAndHashLogs(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Sim.Report r = sim("--replicas", "2", "--rounds", "100", "--cluster", "56", "--drop", "r1=5000", "--hashlog", dir.toString());
        assertTrue(r.identical());
        List<String> r1 = Files.readAllLines(dir.resolve("r1.hashes"));
        List<String> r2 = Files.readAllLines(dir.resolve("r2.hashes"));
        assertEquals(r1, r2);
        // A round covers k packets, or on a mismatch the window: up to the window limit (SyncSettings)
        assertTrue(r1.size() <= 100 * SyncSettings.DEFAULT_WINDOW_LIMIT && r1.size() > 50 * 56, "100 rounds of 56 or more: " + r1.size());
        assertTrue(r1.get(0).matches("[0-9a-f]{32}"));
        List<String> source = Files.readAllLines(dir.resolve("source.hashes"));
        assertEquals(source.subList(0, r1.size()), r1, "the delivered log is a prefix of the source log");
    }
}
