package io.tandem.analyzer.rules;

import io.tandem.api.Alert;
import io.tandem.api.Packet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tandem.analyzer.rules.Frames.ACK;
import static io.tandem.analyzer.rules.Frames.PSH;
import static io.tandem.analyzer.rules.Frames.SYN;
import static io.tandem.analyzer.rules.Frames.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP reassembly as the product's headline depends on it: an attack split over several segments is found on the
 * complete stream, at the packet supplying its last byte, and missed by a replica that lost one of the segments.
 */
class StreamReassemblyTest {
    static final String C = "10.0.0.1", S = "192.0.2.80";
    static final String RULES = """
            alert tcp any any -> any 80 (msg:"split attack"; flow:established,to_server; content:"/etc/passwd"; sid:100; rev:2;)
            alert tcp any any -> any 80 (msg:"two parts"; flow:to_server; content:"cmd="; content:"whoami"; distance:0; sid:101;)
            alert tcp any 80 -> any any (msg:"reply"; flow:established,to_client; content:"root:x:0:0"; sid:102;)
            """;

    /** Handshake, then the request "GET /etc/passwd ..." in three segments, then the server's reply. */
    static List<Packet> conversation() {
        long c = 1000, s = 5000;
        List<Packet> p = new ArrayList<>();
        p.add(tcp(C, 40000, S, 80, c, 0, SYN, ""));
        p.add(tcp(S, 80, C, 40000, s, c + 1, SYN | ACK, ""));
        p.add(tcp(C, 40000, S, 80, c + 1, s + 1, ACK, ""));
        p.add(tcp(C, 40000, S, 80, c + 1, s + 1, ACK | PSH, "GET /et"));        // 3
        p.add(tcp(C, 40000, S, 80, c + 8, s + 1, ACK | PSH, "c/pas"));          // 4
        p.add(tcp(C, 40000, S, 80, c + 13, s + 1, ACK | PSH, "swd?cmd=who"));   // 5
        p.add(tcp(C, 40000, S, 80, c + 24, s + 1, ACK | PSH, "ami HTTP/1.0\r\n\r\n")); // 6
        p.add(tcp(S, 80, C, 40000, s + 1, c + 40, ACK | PSH, "root:x:0:0:root"));    // 7
        p.add(tcp(C, 40000, S, 80, c + 40, s + 16, ACK, ""));                   // 8
        return p;
    }

    static List<Alert> run(List<Packet> packets, List<Long> positions) {
        RuleSet rules = RuleSet.parse("t.rules", RULES, Map.of());
        assertEquals(3, rules.size(), rules.report().summary());
        List<Alert> alerts = new ArrayList<>();
        try (var s = new RulesAnalyzer(rules, EngineSettings.DEFAULTS).open(1, alerts::add)) {
            for (int i = 0; i < packets.size(); i++) s.analyze(positions.get(i), packets.get(i));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return alerts;
    }

    static List<Long> positions(int n) {
        List<Long> l = new ArrayList<>();
        for (long i = 0; i < n; i++) l.add(i);
        return l;
    }

    static String found(List<Alert> alerts) {
        StringBuilder sb = new StringBuilder();
        for (Alert a : alerts) sb.append(a.sid()).append('@').append(a.position()).append(' ');
        return sb.toString().trim();
    }

    @Test
    void completeStreamAlertsAtThePacketCompletingEachMatch() {
        List<Alert> alerts = run(conversation(), positions(9));
        assertEquals("100@5 101@6 102@7", found(alerts));
        Alert a = alerts.get(0);
        assertEquals(C, a.srcIp());
        assertEquals(80, a.destPort());
        assertEquals("TCP", a.proto());
        assertEquals(2, a.rev());
        assertEquals("rules", a.analyzer());
    }

    @Test
    void aLostSegmentMeansNoMatchAcrossTheGap() {
        List<Packet> p = new ArrayList<>(conversation());
        List<Long> pos = new ArrayList<>(positions(9));
        p.remove(4); // "c/pas" lost before this replica's analyzer: the feeder skips its position
        pos.remove(4);
        List<Alert> alerts = run(p, pos);
        // the server's ACK of the whole request (packet 7) tells the hole will not fill: content after it still
        // matches on its own ("cmd=whoami" lies wholly after the gap), "/etc/passwd" spanned the hole and does not.
        // Packet 7's own data (the reply) is inspected before the client bytes its ACK releases.
        assertEquals("102@7 101@7", found(alerts));
    }

    @Test
    void outOfOrderSegmentsMatchWhenTheHoleFills() {
        List<Packet> p = conversation();
        List<Packet> reordered = new ArrayList<>(p.subList(0, 4));
        reordered.add(p.get(5)); // "swd?cmd=who" before "c/pas"
        reordered.add(p.get(4));
        reordered.addAll(p.subList(6, 9));
        assertEquals("100@5 101@6 102@7", found(run(reordered, positions(9))));
    }

    @Test
    void retransmissionsDoNotRaiseTheSameMatchAgain() {
        List<Packet> p = new ArrayList<>(conversation());
        p.add(6, p.get(5)); // "swd?cmd=who" again
        p.add(7, tcp(C, 40000, S, 80, 1001 + 7, 5001, ACK | PSH, "c/passwd?cmd=whoami HTTP/1.0\r\n\r\n")); // overlap, same bytes
        // the overlapping copy brings the new bytes "ami HTTP/1.0..." first: 101 completes there (7), and the original
        // segment carrying them (8) is then a pure retransmission
        assertEquals("100@5 101@7 102@9", found(run(p, positions(p.size()))));
    }

    @Test
    void overlapsKeepTheFirstCopyOfEachByte() {
        List<Packet> p = new ArrayList<>(conversation().subList(0, 4)); // ... "GET /et"
        p.add(tcp(C, 40000, S, 80, 1001 + 7, 5001, ACK | PSH, "c/pas"));
        p.add(tcp(C, 40000, S, 80, 1001 + 10, 5001, ACK | PSH, "XXswd")); // rewrites "as" of the first copy: ignored
        List<Alert> alerts = run(p, positions(p.size()));
        assertEquals("100@5", found(alerts));
    }

    @Test
    void midstreamPickupIsEstablishedAndReassembled() {
        List<Packet> p = conversation().subList(3, 9); // no handshake seen
        assertEquals("100@2 101@3 102@4", found(run(p, positions(p.size()))));
    }

    @Test
    void aNewOccurrenceLaterInTheStreamAlertsAgain() {
        List<Packet> p = new ArrayList<>(conversation().subList(0, 7));
        p.add(tcp(C, 40000, S, 80, 1001 + 39, 5001, ACK | PSH, "GET /etc/passwd HTTP/1.0\r\n\r\n"));
        List<Alert> alerts = run(p, positions(p.size()));
        assertTrue(found(alerts).endsWith("100@7"), found(alerts));
    }
}
