package io.tandem.cli;

import io.tandem.capture.LoopedCapture;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** README's first command, shortened: the full data path (sync, feeder, ET Open analysis, alert filters) and the split attack. */
class DemoTest {

    @Test
    void aShortDemoAnalyzesEveryPacketReportsEachAlertOnceAndShowsTheSplitAttack() throws Exception {
        Demo.Options o = new Demo.Options(new Args(new String[] {"--pps", "5000", "--seconds", "8", "--seed", "3"}, 0, Demo.OPTIONS));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Demo.Report r = Demo.run(o, LoopedCapture.load(o.sources), new PrintStream(text, true, StandardCharsets.UTF_8));
        String out = text.toString(StandardCharsets.UTF_8);
        assertTrue(r.identical(), out);
        for (Demo.ReplicaFigures f : r.replicas()) {
            assertEquals(0, f.feederDropped(), f.id() + " analyzed every packet: " + out);
            assertEquals(f.delivered(), f.analyzed(), f.id());
            assertTrue(f.alerts() > 0, f.id() + " raised alerts on the attack captures");
        }
        // every replica analyzed the same stream with the same engine: the same alerts, reported once in all
        long distinct = r.operatorAlerts().stream().map(a -> a.alert().key()).distinct().count();
        assertEquals(0, r.reportedTwice(), out);
        assertEquals(r.replicas().get(0).alerts(), distinct, out);
        assertEquals(Set.of(r.replicas().get(0).alerts()), Set.copyOf(r.replicas().stream().map(Demo.ReplicaFigures::alerts).toList()));
        assertTrue(r.splitAttack().shown(), out);
        List<String> last = out.lines().filter(l -> l.startsWith("demo ") || l.startsWith("split_attack ")).toList();
        assertEquals(2, last.size(), out);
        assertTrue(last.get(1).endsWith("shown=yes"), out);
    }
}
