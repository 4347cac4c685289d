package io.tandem.analyzer.pipe.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {
    /** A real line of Suricata 7.0.10's EVE (bug-814 of suricata-verify). */
    static final String EVE = "{\"timestamp\":\"2011-01-25T18:52:23.388719+0000\",\"flow_id\":2011390144410947,\"pcap_cnt\":7,"
            + "\"event_type\":\"alert\",\"src_ip\":\"fe80:0000:0000:0000:020c:29ff:faf2:ab42\",\"src_port\":55954,"
            + "\"dest_ip\":\"65.55.17.37\",\"dest_port\":80,\"proto\":\"TCP\",\"pkt_src\":\"wire/pcap\",\"tx_id\":0,"
            + "\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":2,\"rev\":3,\"signature\":\"msg \\\"escape\\\" tests \\u00e9\\/\","
            + "\"category\":\"Attempted Administrator Privilege Gain\",\"severity\":1},\"http\":{\"hostname\":\"ca.msn.com\","
            + "\"status\":200,\"length\":2556},\"app_proto\":\"http\",\"flow\":{\"pkts_toserver\":4,\"start\":\"x\"},\"vlan\":[3136]}";

    @Test
    void values() {
        assertEquals(Map.of("a", List.of(1L, -2L, 3.5, 1e3, true, false), "b", "x"), Json.parse(" {\"a\" : [1,-2,3.5,1e3,true,false], \"b\":\"x\"} "));
        assertSame(Json.NULL, ((Map<?, ?>) Json.parse("{\"n\":null}")).get("n"));
        assertEquals("\"\\/\b\f\n\r\t\u00e9\ud83d\ude00", Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\""));
        assertEquals(List.of(), Json.parse("[]"));
        assertEquals(Map.of(), Json.parse("{}"));
        assertEquals(18446744073709551615.0, Json.parse("18446744073709551615"));
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
    }

    @Test
    void notJsonSaysWhere() {
        for (String bad : new String[]{"", "{", "{\"a\":}", "{\"a\" 1}", "[1,]", "[1 2]", "\"abc", "tru", "01x", "1.", "-", "{\"a\":1}x",
                "\"\\q\"", "\"\\u12\"", "{a:1}", "\"a\tb\"", "[".repeat(100) + "]".repeat(100)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("not JSON at character "), e.getMessage());
        }
    }

    @Test
    void eveAlert() {
        EveAlert a = EveAlert.from(Json.parse(EVE));
        assertEquals(new EveAlert(7, 1295981543388719L, 1, 2, 3, "msg \"escape\" tests \u00e9/", "Attempted Administrator Privilege Gain", 1,
                "TCP", "fe80:0000:0000:0000:020c:29ff:faf2:ab42", 55954, "65.55.17.37", 80), a);
        assertEquals("suricata", a.toAlert(12, "suricata").analyzer());
        assertEquals(12, a.toAlert(12, "suricata").position());
    }

    @Test
    void eveOtherRecords() {
        assertNull(EveAlert.from(Json.parse("{\"event_type\":\"flow\",\"pcap_cnt\":3}")));
        assertThrows(IllegalArgumentException.class, () -> EveAlert.from(Json.parse("[1]")));
        assertThrows(IllegalArgumentException.class, () -> EveAlert.from(Json.parse("{\"event_type\":\"alert\"}")));
        assertThrows(IllegalArgumentException.class, () -> EveAlert.from(Json.parse("{\"event_type\":\"alert\",\"alert\":{\"gid\":1}}")));
        // a pseudo packet (flow timeout) has no pcap_cnt; defaults for what is missing; numeric proto without zeros
        EveAlert p = EveAlert.from(Json.parse("{\"event_type\":\"alert\",\"proto\":\"047\",\"timestamp\":\"2021-12-28T19:51:29.614285+0100\","
                + "\"alert\":{\"signature_id\":5}}"));
        assertEquals(new EveAlert(0, 1640717489614285L, 1, 5, 0, "", "", 3, "47", "", 0, "", 0), p);
        assertEquals(0, EveAlert.micros("yesterday"));
    }
}
