package io.tandem.cli;

import io.tandem.capture.LoopedCapture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded random schedules of crashes and restarts (the leader's included) over 1,000,000 packets of {@code ./tandem
 * sim}: 3 or 5 replicas, each 2 % lossy, and every fifth seed with a lossless member that never fails. It runs when
 * asked, {@code -Dtandem.chaos.seeds=1-20} (about 40 s a seed): not in the CI run yet, because a schedule stalls the
 * cluster now and then (seed 4 once in five runs of seeds 1-4 in one JVM: a view change after a restart never
 * completed; docs/sync.md, "Chaos harness"). A failure names its seed and the sim command that repeats it.
 * (Partitions are not in the schedules: {@code --partition} does not exist yet.)
 */
class ChaosTest {
    static final long PACKETS = 1_000_000;
    static LoopedCapture capture;

    @BeforeAll
    static void load() throws Exception {
        capture = LoopedCapture.load(Path.of(Main.defaultSource()));
    }

    static LongStream seeds() {
        String[] range = System.getProperty("tandem.chaos.seeds").split("-");
        return LongStream.rangeClosed(Long.parseLong(range[0]), Long.parseLong(range[range.length - 1]));
    }

    /** Whether this seed's schedule has a lossless member (the last replica, which never fails). */
    static boolean lossless(long seed) {
        return seed % 5 == 0;
    }

    /**
     * The sim arguments of a seed: replicas, drops and 2 or 3 faults, one at a time. A fault is a crash and a
     * restart 20,000 to 100,000 packets later, or a restart alone (killed and started again at once); the next one
     * comes at least 150,000 packets after the restart, when the restarted replica has long been admitted.
     */
    static List<String> schedule(long seed) {
        Random rnd = new Random(seed);
        int replicas = seed % 2 == 0 ? 5 : 3;
        List<String> args = new ArrayList<>(List.of("--replicas", String.valueOf(replicas), "--packets", String.valueOf(PACKETS),
                "--seed", String.valueOf(seed), "--timeout", "180"));
        for (int i = 1; i <= replicas; i++) {
            if (!(lossless(seed) && i == replicas)) args.addAll(List.of("--drop", "r" + i + "=2000"));
        }
        int candidates = lossless(seed) ? replicas - 1 : replicas;
        int faults = 2 + rnd.nextInt(2);
        long at = 50_000 + rnd.nextInt(100_000);
        for (int f = 0; f < faults && at < PACKETS - 200_000; f++) {
            String who = "r" + (1 + rnd.nextInt(candidates));
            long restart = at;
            if (rnd.nextBoolean()) {
                args.addAll(List.of("--crash", who + "@" + at));
                restart = at + 20_000 + rnd.nextInt(80_000);
            }
            args.addAll(List.of("--restart", who + "@" + restart));
            at = restart + 150_000 + rnd.nextInt(100_000);
        }
        return args;
    }

    @EnabledIfSystemProperty(named = "tandem.chaos.seeds", matches = "\\d+(-\\d+)?")
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aRandomScheduleOfCrashesAndRestartsKeepsTheInvariants(long seed) throws Exception {
        List<String> args = schedule(seed);
        String repeat = "chaos seed " + seed + " (repeat: ./tandem sim " + String.join(" ", args) + ")";
        SimRun run = SimRun.of(capture, args.toArray(String[]::new));
        Sim.Report r = run.report();
        assertEquals(0, r.engineFailures(), repeat + ": engine failures\n" + run.out());
        assertTrue(r.identical(), repeat + ": incarnations disagree over their shared positions\n" + run.out());
        for (Sim.Incarnation i : r.incarnations()) assertTrue(i.delivered() > 0, repeat + ": " + i.name() + " delivered nothing\n" + run.out());
        if (lossless(seed)) {
            assertEquals(0, r.setLost(), repeat + ": a lossless member lived throughout, yet packets were lost\n" + run.out());
            assertEquals(0, r.duplicated(), repeat + ": a lossless member lived throughout, yet packets were delivered twice\n" + run.out());
        } else {
            // Every member lossy: only what every live member lost goes (2 % of 2 % of the time, more while one is
            // down or joining); the exact per-packet check is not made (see docs/sync.md, chaos harness).
            assertTrue(r.setLost() < r.expected() / 200, repeat + ": set loss " + r.setLost() + " of " + r.expected() + "\n" + run.out());
        }
    }
}
