package io.tandem.analyzer.rules;

import io.tandem.analyzer.rules.internal.Buf;
import io.tandem.analyzer.rules.internal.MatchOp;
import io.tandem.analyzer.rules.internal.Rule;
import io.tandem.analyzer.rules.internal.RuleParser;
import io.tandem.analyzer.rules.internal.RuleSyntaxException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuleParserTest {
    private final RuleParser parser = new RuleParser(RuleParser.defaultVars(),
            Map.of("trojan-activity", new RuleParser.Classification("trojan-activity", "A Network Trojan was detected", 1)));

    private Rule parse(String options) {
        return parser.parse("alert tcp $EXTERNAL_NET any -> $HOME_NET $HTTP_PORTS (" + options + ")");
    }

    private static String reason(String rule) {
        LoadReport r = RuleSet.parse("x.rules", rule, Map.of()).report();
        assertEquals(1, r.skipped().size(), r.summary());
        return r.skipped().get(0).reason();
    }

    @Test
    void headerAndInformationalKeywords() {
        Rule r = parse("msg:\"a \\\"quoted\\\" msg\\; here\"; classtype:trojan-activity; reference:url,x.org; metadata:a b; sid:42; rev:7; gid:3;");
        assertEquals("a \"quoted\" msg; here", r.msg);
        assertEquals(42, r.sid);
        assertEquals(7, r.rev);
        assertEquals(3, r.gid);
        assertEquals("A Network Trojan was detected", r.category);
        assertEquals(1, r.severity());
        assertEquals(Rule.Context.PACKET, r.context); // no payload option
        assertEquals(3, parse("priority:3; classtype:trojan-activity; sid:1;").severity());
    }

    @Test
    void contentBytesAndModifiers() {
        Rule r = parse("content:\"A|0d 0A|b\\\"\"; nocase; offset:2; depth:10; content:!\"zz\"; distance:1; within:5; fast_pattern; sid:1;");
        List<MatchOp> ops = r.buffers.get(Buf.PAYLOAD);
        MatchOp.Content c = (MatchOp.Content) ops.get(0);
        assertArrayEquals("a\r\nb\"".getBytes(StandardCharsets.ISO_8859_1), c.pattern);
        assertTrue(c.nocase);
        assertEquals(2, c.offset);
        assertEquals(10, c.depth);
        MatchOp.Content n = (MatchOp.Content) ops.get(1);
        assertTrue(n.negated);
        assertEquals(1, n.distance);
        assertEquals(5, n.within);
        assertEquals(Rule.Context.STREAM, r.context);
        // a negated content cannot be the fast pattern even when marked: the other one is used
        assertThrows(RuleSyntaxException.class, () -> parse("content:\"a\"; fast_pattern; content:\"b\"; fast_pattern; sid:1;"));
        assertArrayEquals("longer".getBytes(), parse("content:\"ab\"; content:\"longer\"; sid:1;").fastPattern);
        assertArrayEquals("ab".getBytes(), parse("content:\"ab\"; fast_pattern; content:\"longer\"; sid:1;").fastPattern);
        assertArrayEquals("ng".getBytes(), parse("content:\"longer\"; fast_pattern:2,2; sid:1;").fastPattern);
    }

    @Test
    void httpModifiersAndStickyBuffers() {
        Rule r = parse("flow:established,to_server; content:\"POST\"; http_method; uricontent:\"/a.php\"; http.host; content:\"evil.example\"; sid:1;");
        assertEquals(Rule.Context.HTTP_REQUEST, r.context);
        assertTrue(r.buffers.containsKey(Buf.HTTP_METHOD));
        assertTrue(r.buffers.containsKey(Buf.HTTP_URI));
        assertTrue(r.buffers.containsKey(Buf.HTTP_HOST));
        assertTrue(r.toServer);
        assertTrue(r.established);
        Rule resp = parse("flow:to_client; file_data; content:\"MZ\"; sid:2;");
        assertEquals(Rule.Context.HTTP_RESPONSE, resp.context);
        Rule upload = parse("flow:to_server; file_data; content:\"MZ\"; sid:3;");
        assertEquals(Rule.Context.HTTP_REQUEST, upload.context);
        Rule pcre = parse("pcre:\"/^\\/x\\d+/Ui\"; sid:4;");
        assertTrue(pcre.buffers.containsKey(Buf.HTTP_URI));
        assertEquals(Rule.Context.HTTP_ANY, parser.parse("alert http any any -> any any (file.data; content:\"x\"; sid:5;)").context);
    }

    @Test
    void packetKeywords() {
        Rule r = parser.parse("alert icmp any any -> any any (itype:8; icode:0; icmp_id:<100; icmp_seq:1<>9; ttl:>=64; dsize:>10; sid:1;)");
        assertTrue(r.itype.test(8));
        assertFalse(r.icmpId.test(100));
        assertTrue(r.icmpSeq.test(5));
        assertFalse(r.icmpSeq.test(9));
        assertTrue(r.ttl.test(64));
        Rule f = parse("flags:SA,12; window:1024; ack:0; seq:5; sameip; ip_proto:tcp; sid:2;");
        assertTrue(f.hasFlags);
        assertEquals(0x12, f.flagsValue);
        assertEquals(0, f.ack);
        assertTrue(f.sameIp);
        assertTrue(f.ipProto.test(6));
        Rule fb = parse("flowbits:isset,a|b; flowbits:set,c; flowbits:noalert; sid:3;");
        assertEquals(2, fb.flowbits.size());
        assertTrue(fb.noAlert);
        assertTrue(fb.setsFlowbits());
        Rule bt = parse("content:\"x\"; byte_test:2,>,100,0,relative,little; byte_jump:4,0,relative,multiplier 2,align; isdataat:!1,relative; sid:4;");
        assertEquals(4, bt.buffers.get(Buf.PAYLOAD).size());
    }

    @Test
    void variablesListsAndNegation() {
        Rule r = parser.parse("alert udp [10.0.0.0/8,!10.1.0.0/16] ![53,5353] -> [2001:db8::/32,$HOME_NET] [1000:,!2000] (sid:1;)");
        assertTrue(r.srcPorts.matchesPort(80));
        assertFalse(r.srcPorts.matchesPort(53));
        assertTrue(r.dstPorts.matchesPort(1999));
        assertFalse(r.dstPorts.matchesPort(2000));
        assertFalse(r.dstPorts.matchesPort(999));
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class, () -> parser.parse("alert tcp $NOPE any -> any any (sid:1;)"));
        assertTrue(e.getMessage().contains("undefined variable $NOPE"), e.getMessage());
    }

    @Test
    void pcreTranslation() {
        Rule r = parse("pcre:\"/a\\0b(?P<n>c)(?P=n){x/smi\"; sid:1;");
        MatchOp.Pcre p = (MatchOp.Pcre) r.buffers.get(Buf.PAYLOAD).get(0);
        assertTrue(p.pattern().matcher("a\0bcc{x").find());
        assertTrue(reason("alert tcp any any -> any any (pcre:\"/(?(1)a|b)/\"; sid:1;)").startsWith("unsupported: pcre"));
    }

    @Test
    void everySkipHasItsReasonAndLine() {
        String rules = """
                # a comment
                alert tcp any any -> any any (msg:"ok"; content:"a"; sid:1;)
                alert tcp any any -> any any (msg:"t"; content:"a"; threshold:type limit, track by_src, count 1, seconds 60; sid:2;)
                alert tcp any any -> any any (msg:"x"; content:"a"; byte_extract:2,0,len; sid:3;)
                alert tcp any any -> any any (msg:"bad hex"; content:"|4g|"; sid:4;)
                alert tcp any any -> any any (msg:"no sid"; content:"a";)
                alert smb any any -> any any (msg:"proto"; sid:6;)
                alert tcp any any -> any any (msg:"dup"; sid:1;)
                alert tcp any any any any (sid:8;)
                # alert tcp any any -> any any (msg:"disabled"; sid:9;)
                pass tcp any any -> any any (sid:10;)
                alert tcp any any -> any any (msg:"unterminated; sid:11;)
                alert tcp any any -> any any (content:"a"; distance:x; sid:12;)
                """;
        LoadReport r = RuleSet.parse("t.rules", rules, Map.of()).report();
        assertEquals(1, r.loaded());
        assertEquals(1, r.disabled());
        assertEquals(11, r.rules(), r.summary());
        List<String> got = r.skipped().stream().map(LoadReport.Skip::toString).toList();
        assertEquals(List.of(
                "t.rules:3 sid 2: unsupported: threshold (its time windows follow capture timestamps, which differ between replicas)",
                "t.rules:4 sid 3: unsupported: keyword 'byte_extract'",
                "t.rules:5 sid 4: syntax error: bad hex digit 'g' in content",
                "t.rules:6: syntax error: no sid",
                "t.rules:7 sid 6: unsupported: protocol 'smb'",
                "t.rules:8 sid 1: syntax error: duplicate sid 1:1",
                "t.rules:9 sid 8: syntax error: header needs 7 fields (action proto src sport -> dst dport), has 6",
                "t.rules:11 sid 10: unsupported: action 'pass'",
                "t.rules:12 sid 11: syntax error: unterminated quote in options",
                "t.rules:13 sid 12: unsupported: distance from a byte_extract variable"), got);
        assertTrue(r.summary().startsWith("1 rules loaded, 10 skipped, 1 disabled"), r.summary());
    }

    @Test
    void multiLineRules() {
        LoadReport r = RuleSet.parse("m.rules", "alert tcp any any -> any any (msg:\"m\"; \\\n content:\"a\"; sid:1;)\n", Map.of()).report();
        assertEquals(1, r.loaded(), r.summary());
        assertNull(null);
    }
}
