package io.tandem.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.api.Alert;
import io.tandem.api.AlertFilterSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tandem.alerts.Alerts.alert;
import static org.junit.jupiter.api.Assertions.*;

/** The EVE JSON file, syslog over UDP and the recent alerts, through a single-member filter. */
class OutputsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A rule message with everything JSON and syslog must escape. */
    static Alert awkward() {
        return new Alert(42, 1_714_564_800_123_456L, 1, 2_100_498, 7, "GPL \"ATTACK\" \\ back]slash\nnew\tline \u0001 é \u2028",
                "Potentially Bad Traffic", 1, "UDP", "2001:db8::1", 53, "2001:db8::2", 5353, "rules");
    }

    static void reportAlone(TandemAlertFilter f, String id, List<Alert> alerts) {
        AlertFilterSession s = f.open(id, d -> { });
        s.onView(List.of(id));
        for (Alert a : alerts) s.raise(a);
        s.analyzedUpTo(Long.MAX_VALUE - 1);
        s.finish();
        s.close();
    }

    @Test
    void eveLinesAreJsonWithTheFields(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/alerts.json");
        try (TandemAlertFilter f = TandemAlertFilter.builder().output(AlertOutputs.eveFile(file)).build()) {
            reportAlone(f, "r1", List.of(awkward(), alert(9, 100)));
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(2, lines.size());
        JsonNode e = JSON.readTree(lines.get(0));
        assertEquals("2024-05-01T12:00:00.123456+0000", e.get("timestamp").asText());
        assertEquals("alert", e.get("event_type").asText());
        assertEquals("2001:db8::1", e.get("src_ip").asText());
        assertEquals(53, e.get("src_port").asInt());
        assertEquals("2001:db8::2", e.get("dest_ip").asText());
        assertEquals(5353, e.get("dest_port").asInt());
        assertEquals("UDP", e.get("proto").asText());
        JsonNode a = e.get("alert");
        assertEquals("allowed", a.get("action").asText());
        assertEquals(1, a.get("gid").asInt());
        assertEquals(2_100_498, a.get("signature_id").asLong());
        assertEquals(7, a.get("rev").asInt());
        assertEquals(awkward().signature(), a.get("signature").asText());
        assertEquals("Potentially Bad Traffic", a.get("category").asText());
        assertEquals(1, a.get("severity").asInt());
        JsonNode t = e.get("tandem");
        assertEquals("1:2100498@42", t.get("alert_id").asText());
        assertEquals(42, t.get("position").asLong());
        assertEquals("r1", t.get("reporter").asText());
        assertEquals("rules", t.get("analyzer").asText());
        assertEquals("1:9@100", JSON.readTree(lines.get(1)).get("tandem").get("alert_id").asText());
    }

    @Test
    void eveFileIsAppendedAcrossFilters(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("alerts.json");
        try (TandemAlertFilter f = TandemAlertFilter.builder().output(AlertOutputs.eveFile(file)).build()) {
            reportAlone(f, "r1", List.of(alert(1, 1)));
        }
        try (TandemAlertFilter f = TandemAlertFilter.builder().output(AlertOutputs.eveFile(file)).build()) {
            reportAlone(f, "r1", List.of(alert(1, 2)));
        }
        assertEquals(2, Files.readAllLines(file).size());
    }

    /** RFC 5424: PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]. */
    static final Pattern RFC5424 = Pattern.compile(
            "<(\\d{1,3})>1 (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z) (\\S{1,255}) (\\S{1,48}) (\\S{1,128}) (\\S{1,32}) (\\[tandem@32473(?: [a-z_]+=\"(?:[^\"\\\\\\]]|\\\\[\"\\\\\\]])*\")+\\]) \uFEFF(.*)",
            Pattern.DOTALL);

    @Test
    void syslogGetsOneRfc5424MessagePerAlert() throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            receiver.setSoTimeout(5000);
            int local4 = AlertOutputs.facility("local4");
            assertEquals(20, local4);
            try (TandemAlertFilter f = TandemAlertFilter.builder()
                    .output(AlertOutputs.syslog("127.0.0.1", receiver.getLocalPort(), local4, "tandem")).build()) {
                reportAlone(f, "r2", List.of(awkward(), alert(9, 100)));
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                DatagramPacket p = new DatagramPacket(new byte[65535], 65535);
                receiver.receive(p);
                got.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
            }
            Matcher m = RFC5424.matcher(got.get(0));
            assertTrue(m.matches(), got.get(0));
            assertEquals(20 * 8 + 2, Integer.parseInt(m.group(1)), "local4, priority 1 = critical");
            assertEquals("2024-05-01T12:00:00.123456Z", m.group(2));
            assertEquals("tandem", m.group(4));
            assertEquals("-", m.group(5));
            assertEquals("alert", m.group(6));
            assertTrue(m.group(7).contains("alert_id=\"1:2100498@42\""), m.group(7));
            assertTrue(m.group(7).contains("reporter=\"r2\""), m.group(7));
            assertTrue(m.group(8).startsWith("[1:2100498:7] GPL \"ATTACK\""), m.group(8));
            assertTrue(m.group(8).endsWith("[Priority: 1] {UDP} [2001:db8::1]:53 -> [2001:db8::2]:5353"), m.group(8));
            Matcher m2 = RFC5424.matcher(got.get(1));
            assertTrue(m2.matches(), got.get(1));
            assertEquals(20 * 8 + 3, Integer.parseInt(m2.group(1)), "priority 2 = error");
            assertTrue(m2.group(8).endsWith("{TCP} 10.0.0.1:40100 -> 192.168.1.2:80"), m2.group(8));
        }
    }

    @Test
    void recentIsBoundedAndNewestLast() {
        try (TandemAlertFilter f = TandemAlertFilter.builder().recent(5).build()) {
            List<Alert> alerts = new ArrayList<>();
            for (int i = 0; i < 12; i++) alerts.add(alert(3, i));
            reportAlone(f, "r1", alerts);
            assertEquals(alerts.subList(7, 12), f.recent(100));
            assertEquals(alerts.subList(10, 12), f.recent(2));
            assertEquals(List.of(), f.recent(0));
            f.setRecentCapacity(3);
            assertEquals(alerts.subList(9, 12), f.recent(100));
            assertEquals(12, f.stats().reported());
        }
    }

    @Test
    void aFailingOutputDoesNotKeepTheOthersFromTheAlert() {
        List<ReportedAlert> got = new ArrayList<>();
        AlertOutput broken = (a, r) -> {
            throw new java.io.IOException("disk full");
        };
        try (TandemAlertFilter f = TandemAlertFilter.builder().output(broken).output(AlertOutputs.collect(got)).build()) {
            reportAlone(f, "r1", List.of(alert(1, 1)));
        }
        assertEquals(1, got.size());
    }

    @Test
    void facilities() {
        assertEquals(16, AlertOutputs.facility("LOCAL0"));
        assertEquals(3, AlertOutputs.facility("daemon"));
        assertEquals(23, AlertOutputs.facility("23"));
        assertThrows(IllegalArgumentException.class, () -> AlertOutputs.facility("24"));
        assertThrows(IllegalArgumentException.class, () -> AlertOutputs.facility("local8"));
    }
}
