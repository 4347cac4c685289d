package io.tandem.cli;

import io.tandem.capture.LoopedCapture;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One {@code ./tandem sim} run inside a test: its report and what it printed (also echoed), with no failure. */
record SimRun(Sim.Report report, String out) {
    static SimRun of(LoopedCapture capture, String... argv) throws Exception {
        Sim.Options o = Sim.parse(new Args(argv, 0, Sim.OPTIONS));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Sim.Report r = Sim.run(o, capture, new PrintStream(buf, true, StandardCharsets.UTF_8), null);
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(List.of(), r.failures(), out);
        return new SimRun(r, out);
    }
}
