package io.tandem.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** {@code ./tandem demo}, short: three paced replicas, and the report's figures hold together. */
class DemoTest {

    @Test
    void aShortDemoReportsIdenticalStreamsAndTheSetLossOfTheTheory() {
        long pps = 10_000;
        long seconds = 4;
        String[] r = MainTest.run("demo", "--pps", Long.toString(pps), "--seconds", Long.toString(seconds), "--seed", "11");
        String out = r[1];
        System.out.print(out);
        assertEquals("0", r[0], out + r[2]);

        // The last line sums the run up.
        List<String> lines = out.strip().lines().toList();
        Matcher m = Pattern.compile("demo replicas=3 pps=10000 packets=(\\d+) delivered=(\\d+) set_lost=(\\d+) theory=([0-9.]+) identical=(yes|no) seconds=([0-9.]+)")
                .matcher(lines.get(lines.size() - 1));
        assertTrue(m.matches(), lines.get(lines.size() - 1));
        long packets = Long.parseLong(m.group(1));
        long delivered = Long.parseLong(m.group(2));
        long setLost = Long.parseLong(m.group(3));
        double theory = Double.parseDouble(m.group(4));
        assertEquals(pps * seconds, packets);
        assertEquals("yes", m.group(5));
        assertTrue(out.contains("identical  yes: every replica delivered the same " + delivered + " packets in the same order"), out);
        assertTrue(delivered > 0);
        // Three replicas dropping 2 % each lose together about 8 in a million: set loss ~ Poisson(theory).
        assertTrue(theory > 0 && theory < packets * 1e-4, "theory " + theory);
        assertTrue(Math.abs(setLost - theory) <= 5 * Math.sqrt(Math.max(theory, 1)) + 2, "set lost " + setLost + " vs theory " + theory);
        assertTrue(delivered >= packets - setLost - 2000 && delivered <= packets + packets / 2000, "delivered " + delivered + " of " + packets);
        // The traffic was paced: it took at least the time the rate gives, and never ran faster than the rate.
        assertTrue(Double.parseDouble(m.group(6)) >= 0.9 * seconds, "seconds " + m.group(6));
        Matcher rate = Pattern.compile("traffic at (\\d+) packets/s").matcher(out);
        assertTrue(rate.find(), out);
        assertTrue(Long.parseLong(rate.group(1)) <= pps * 1.05, "traffic at " + rate.group(1) + " packets/s");

        // One table row a replica: captured = dropped + kept, about 2 % dropped, and each got back about what it dropped.
        Pattern row = Pattern.compile("(r\\d)(?: \\(leader\\))?\\s+(\\d+)\\s+(\\d+) \\(([0-9.]+) %\\)\\s+(\\d+)\\s+(\\d+)");
        int rows = 0;
        for (String line : lines) {
            Matcher x = row.matcher(line.strip());
            if (!x.matches()) continue;
            rows++;
            long captured = Long.parseLong(x.group(2));
            long dropped = Long.parseLong(x.group(3));
            long recovered = Long.parseLong(x.group(5));
            assertEquals(delivered, Long.parseLong(x.group(6)), line);
            assertTrue(captured > 0.9 * packets && captured <= packets, line);
            double rateDropped = Double.parseDouble(x.group(4));
            assertTrue(rateDropped > 1.0 && rateDropped < 3.0, line);
            assertTrue(Math.abs(recovered - dropped) <= setLost + packets / 1000 + 50, "recovered about what was dropped: " + line);
        }
        assertEquals(3, rows, out);
        // A progress line at least every two seconds while it ran.
        assertTrue(lines.stream().filter(l -> l.matches("\\s*\\d+\\.\\ds\\s+r1 \\d+ delivered.*")).count() >= 1, out);
    }

    @Test
    void badDemoOptionsAreOneLine() {
        String[] r = MainTest.run("demo", "--speed", "3");
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("tandem: unknown option --speed"), r[2]);
        assertEquals(1, r[2].strip().lines().count());
        assertTrue(MainTest.run("demo", "--seconds", "3", "--packets", "5000")[2].contains("give --seconds or --packets, not both"));
        assertTrue(MainTest.run("demo", "--drop", "r4=5")[2].contains("there is no replica r4 (replicas: 3)"));
        assertTrue(MainTest.run("demo", "--pps", "0")[2].contains("--pps must be 100..1000000"));
        assertTrue(MainTest.run("demo", "--drop", "r1=p5,x3,f1")[2].startsWith("tandem: "));
        assertTrue(MainTest.run("demo", "--source", "/nonexistent")[2].contains("no capture at /nonexistent"));
        assertTrue(MainTest.run("help")[1].contains("demo"));
    }
}
