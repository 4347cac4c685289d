package io.tandem.cli;

import io.tandem.capture.LoopedCapture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real captures made of repeats, looped: {@code http_m57-long-49583-80.pcap} holds each of its 114 frames twice in
 * a row, {@code ppa1e_blaster.pcap} 9 frames twice. Every hash repeats within a few packets, inside the boot
 * packets too; the boot must still find l of them at increasing positions at every replica (any copy gives the
 * same stream), and with the first member lossless the stream must equal the source.
 */
class RepeatedFramesTest {

    static Sim.Report sim(String capture, String... args) throws Exception {
        Path file = Main.dataFolder().resolve("pcaps").resolve(capture);
        List<String> argv = new ArrayList<>(List.of("--source", file.toString(), "--packets", "30000"));
        argv.addAll(Arrays.asList(args));
        SimRun run = SimRun.of(LoopedCapture.load(file), argv.toArray(String[]::new));
        assertEquals(0, run.report().engineFailures(), run.out());
        return run.report();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "ordinary/http_m57-long-49583-80.pcap|--replicas 2",
            "ordinary/http_m57-long-49583-80.pcap|--replicas 3",
            "ordinary/http_m57-long-49583-80.pcap|--replicas 3 --drop r2=2000 --drop r3=2000"})
    void aLosslessFirstMemberMakesTheStreamTheSource(String capture, String args) throws Exception {
        Sim.Report r = sim(capture, args.split(" "));
        assertTrue(r.identical());
        assertEquals(0, r.setLost(), "nothing lost");
        assertEquals(0, r.duplicated(), "nothing twice");
        assertEquals(r.expected(), r.delivered());
        for (int d : r.diffVsSource()) assertEquals(0, d, "each delivered log is the source from the boot on");
    }

    /**
     * Where the stream is not yet the source (issue 9 item 2, open; docs/sync.md): the 9-frame capture, whose loop
     * (18 packets, each frame twice with the same time) is shorter than the boot packets, so a follower may boot
     * on another copy than the leader's, and the end of the replayed capture then differs by a copy; lossy
     * followers on it, or a lossy first member. No anchor of unique hashes exists; the rounds anchor on repeated hashes in
     * the first half of the windows. The streams agree, no engine stops, and what is lost or delivered twice stays
     * small (measured up to 1.06 %; the greedy match this replaced delivered a third twice).
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "attacks/ppa1e_blaster.pcap|--replicas 3",
            "attacks/ppa1e_blaster.pcap|--replicas 5",
            "attacks/ppa1e_blaster.pcap|--replicas 3 --drop r2=5000 --drop r3=5000",
            "attacks/ppa1e_blaster.pcap|--replicas 3 --drop r1=2000 --drop r2=2000",
            "ordinary/http_m57-long-49583-80.pcap|--replicas 3 --drop r1=2000 --drop r2=2000"})
    void notYetTheSourceButAgreeingAndClose(String capture, String args) throws Exception {
        Sim.Report r = sim(capture, args.split(" "));
        assertTrue(r.identical());
        assertTrue(r.setLost() + r.duplicated() <= r.expected() / 50, "lost " + r.setLost() + ", twice " + r.duplicated());
    }
}
