package io.tandem.cli;

import io.tandem.capture.LoopedCapture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./tandem sim} with crashes and restarts, the leader's included: every incarnation agrees with every
 * other at the positions both delivered, no engine stops with an error, and each restarted replica joins.
 */
class CrashRestartTest {
    static LoopedCapture capture;

    @BeforeAll
    static void load() throws Exception {
        capture = LoopedCapture.load(Path.of(Main.defaultSource()));
    }

    private static Sim.Report sim(String... args) throws Exception {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--timeout", "120")).toArray(String[]::new);
        SimRun run = SimRun.of(capture, all);
        Sim.Report r = run.report();
        String out = run.out();
        assertEquals(0, r.engineFailures(), out);
        assertTrue(r.identical(), "every pair of incarnations agrees over the positions both delivered:\n" + out);
        for (Sim.Incarnation i : r.incarnations()) {
            assertTrue(i.delivered() > 0, i.name() + " delivered nothing:\n" + out);
        }
        return r;
    }

    /** r3 loses nothing and never dies: what the others deliver while it lives is the source, exactly. */
    @Test
    void aFollowerAndTheLeaderCrashAndComeBackBesideALosslessMember() throws Exception {
        Sim.Report r = sim("--replicas", "3", "--packets", "600000", "--drop", "r1=2000", "--drop", "r2=2000",
                "--crash", "r2@60000", "--restart", "r2@100000", "--restart", "r1@250000");
        assertEquals(5, r.incarnations().size());
        assertEquals(0, r.setLost(), "a lossless member lived throughout: nothing is lost");
        // (Not asserted: nothing delivered twice. Without any fault, this cluster already delivers 1-3 packets of
        // 300,000 twice where same-size IPv6 packets repeat their first 56 bytes: issue 9 item 2, still open.)
    }

    /** Every member 2 % lossy: the set loses only what every live member lost, a few hundredths of a percent. */
    @Test
    void everyMemberLossyAndEachOneRestarted() throws Exception {
        // Unpaced, the wire carries a few hundred thousand packets while a restarted replica waits to be admitted
        // (the cluster first aligns the queue it holds ahead): the faults leave it room.
        Sim.Report r = sim("--replicas", "3", "--packets", "900000", "--drop", "r1=2000", "--drop", "r2=2000", "--drop", "r3=2000",
                "--crash", "r2@100000", "--restart", "r2@150000", "--crash", "r1@300000", "--restart", "r1@330000",
                "--restart", "r3@500000");
        assertEquals(6, r.incarnations().size());
        // The set loss depends on how long each restarted replica took to be admitted (fewer live members meanwhile,
        // one at times): the figures are in docs/benchmarks.md, not a bound here.
        assertTrue(r.setLost() < r.expected() / 100, "set loss " + r.setLost() + " of " + r.expected());
    }
}
