package io.tandem.shell.command;

import io.tandem.api.Alert;
import io.tandem.api.AlertDigestChannel;
import io.tandem.api.AlertFilter;
import io.tandem.api.AlertFilterSession;
import io.tandem.api.AlertFilterStats;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What tandem:alerts prints. */
class AlertsCommandTest {

    static Alert alert(long position, String msg) {
        return new Alert(position, 1_714_564_800_123_456L, 1, 2_100_498, 7, msg, "Potentially Bad Traffic", 2, "TCP",
                "10.0.0.1", 40000, "192.168.1.2", 80, "rules");
    }

    static AlertFilter filter(List<Alert> recent) {
        return new AlertFilter() {
            @Override
            public AlertFilterSession open(String localId, AlertDigestChannel peers) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<Alert> recent(int max) {
                return recent.subList(Math.max(0, recent.size() - max), recent.size());
            }

            @Override
            public String eveLine(Alert alert, String reporter) {
                return "{\"alert_id\":\"" + alert.key() + "\",\"reporter\":\"" + reporter + "\"}";
            }

            @Override
            public AlertFilterStats stats() {
                return new AlertFilterStats(9, 3, 5, 1, 0, 2);
            }
        };
    }

    @Test
    void oneLinePerAlertWithTimeRuleMsgEndpointsPositionReporter() {
        String out = AlertsCommand.render(filter(List.of(alert(41, "first"), alert(42, "ET POLICY \"x\"\nsecond line"), alert(43, "third"))), 2, false, "r1");
        String[] lines = out.split("\n");
        assertEquals(4, lines.length, out);
        assertTrue(lines[0].startsWith("time (UTC)"), lines[0]);
        assertTrue(lines[1].startsWith("2024-05-01 12:00:00.123456 1:2100498:7"), lines[1]);
        assertTrue(lines[1].contains("ET POLICY \"x\" second line"), lines[1]);
        assertTrue(lines[1].contains("10.0.0.1:40000 -> 192.168.1.2:80 TCP"), lines[1]);
        assertTrue(lines[1].matches(".* 42  r1"), lines[1]);
        assertTrue(lines[2].contains("third") && lines[2].matches(".* 43  r1"), lines[2]);
        assertEquals("2 shown; this replica: 3 reported, 5 reported by peers, 9 raised (1 duplicates), 0 taken over, 2 pending", lines[3]);
    }

    @Test
    void longMessagesAreCut() {
        String out = AlertsCommand.render(filter(List.of(alert(1, "x".repeat(200)))), 20, false, "r1");
        assertTrue(out.split("\n")[1].contains("x".repeat(AlertLines.MSG_WIDTH - 1) + "…"));
    }

    @Test
    void noAlertsYet() {
        assertTrue(AlertsCommand.render(filter(List.of()), 20, false, "r1").startsWith("no alerts reported by this replica yet\n"));
    }

    @Test
    void jsonLinesAreTheFiltersOwnEveLines() {
        String out = AlertsCommand.render(filter(List.of(alert(41, "a"), alert(42, "b"))), 20, true, "r1");
        assertEquals("{\"alert_id\":\"1:2100498@41\",\"reporter\":\"r1\"}\n{\"alert_id\":\"1:2100498@42\",\"reporter\":\"r1\"}\n",
                out);
    }
}
