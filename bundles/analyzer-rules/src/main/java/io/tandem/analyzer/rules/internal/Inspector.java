package io.tandem.analyzer.rules.internal;

import io.tandem.analyzer.rules.EngineSettings;
import io.tandem.api.Alert;
import io.tandem.api.AlertSink;
import io.tandem.api.Packet;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the rules over one stream of packets, on one thread: decode, flow, packet rules, TCP reassembly with stream
 * and HTTP/TLS rules, DNS rules. Everything it does depends only on the packets' bytes and order, never on
 * timestamps or wall time, so every replica raises the same alerts at the same positions.
 */
public final class Inspector {
    public static final String ANALYZER = "rules";

    private final Detection det;
    private final EngineSettings settings;
    private final AlertSink sink;
    private final PacketDecoder decoder;
    private final Decoded d = new Decoded();
    private final FlowTable flows;
    private final Matcher matcher = new Matcher();
    private final RuleGroup.Candidates candidates = new RuleGroup.Candidates();
    private final boolean[] srcIsA = new boolean[1];
    /** Rules that raised an alert at the current packet: at most one alert per rule per packet. */
    private final Set<Rule> firedHere = new HashSet<>();

    private long position;
    private long timestamp;
    private boolean packetToServer;
    private byte[] payloadCopy;

    public long packets, notIp, malformed, alerts, streamGaps;

    private final TcpStream.Sink streamSink = new TcpStream.Sink() {
        @Override
        public void data(TcpStream s, byte[] window, int from, int to) {
            streamData(s, window, from, to);
        }

        @Override
        public void gap(TcpStream s) {
            streamGap(s);
        }
    };
    private Flow current;

    public Inspector(Detection det, EngineSettings settings, int linkType, AlertSink sink) {
        this.det = det;
        this.settings = settings;
        this.sink = sink;
        this.decoder = new PacketDecoder(linkType);
        this.flows = new FlowTable(settings.maxFlows(), settings.flowIdlePackets());
    }

    public FlowTable flows() {
        return flows;
    }

    public long budgetExceeded() {
        return matcher.budgetExceeded;
    }

    public void packet(long position, Packet p) {
        this.position = position;
        this.timestamp = p.timestampMicros();
        packets++;
        firedHere.clear();
        payloadCopy = null;
        PacketDecoder.Result r = decoder.decode(p.data(), d);
        if (r == PacketDecoder.Result.NOT_IP) {
            notIp++;
            return;
        }
        if (r == PacketDecoder.Result.MALFORMED) {
            malformed++;
            return;
        }
        flows.expire(position);
        Flow flow = null;
        packetToServer = true;
        if (d.isTcp() || d.isUdp()) {
            flow = track();
            packetToServer = flow.toServer(srcIsA[0]);
        }
        current = flow;
        RuleGroup group = d.isTcp() ? det.packetTcp : d.isUdp() ? det.packetUdp : d.isIcmp() ? det.packetIcmp : det.packetOther;
        packetRules(group, flow);
        if (d.isUdp() && !det.dns.isEmpty()) dnsRules(flow);
        if (d.isTcp()) tcpStreams(flow);
    }

    // ---- flows

    private Flow track() {
        FlowKey key = FlowKey.of(d, srcIsA);
        Flow f = flows.get(key, position);
        boolean syn = d.isTcp() && (d.tcpFlags & (Decoded.SYN | Decoded.ACK)) == Decoded.SYN;
        if (f != null && f.closed && syn) { // the 5-tuple is reused by a new connection
            flows.remove(f);
            f = null;
        }
        if (f == null) {
            boolean synAck = d.isTcp() && (d.tcpFlags & (Decoded.SYN | Decoded.ACK)) == (Decoded.SYN | Decoded.ACK);
            f = new Flow(key, synAck ? !srcIsA[0] : srcIsA[0], position);
            f.midstream = d.isTcp() && !syn && !synAck;
            if (f.midstream && settings.midstream()) f.established = true;
            flows.put(f);
        }
        boolean toServer = f.toServer(srcIsA[0]);
        if (toServer) f.seenToServer = true;
        else f.seenToClient = true;
        if (d.isUdp()) {
            if (f.seenToServer && f.seenToClient) f.established = true;
            return f;
        }
        int fl = d.tcpFlags;
        if ((fl & Decoded.SYN) != 0 && (fl & Decoded.ACK) == 0 && toServer) f.synSeen = true;
        if ((fl & Decoded.SYN) != 0 && (fl & Decoded.ACK) != 0 && !toServer) f.synAckSeen = true;
        if ((fl & (Decoded.SYN | Decoded.ACK)) == Decoded.ACK && toServer && f.synSeen && f.synAckSeen) f.established = true;
        if ((fl & Decoded.RST) != 0) f.closed = true;
        if ((fl & Decoded.FIN) != 0) {
            if (toServer) f.finToServer++;
            else f.finToClient++;
            if (f.finToServer > 0 && f.finToClient > 0) f.closed = true;
        }
        return f;
    }

    // ---- packet rules

    private void packetRules(RuleGroup g, Flow flow) {
        if (g.isEmpty()) return;
        candidates.begin(g.rules.length);
        candidates.addAll(g.always);
        if (d.payloadLength > 0) g.scan(Buf.PAYLOAD, d.data, d.payloadOffset, d.payloadOffset + d.payloadLength, candidates);
        candidates.sort();
        for (int k = 0; k < candidates.size; k++) {
            Rule r = g.rules[candidates.list[k]];
            if (!packetConditions(r) || !flowMatches(r, flow, packetToServer) || !header(r, false)) continue;
            List<MatchOp> ops = r.buffers.get(Buf.PAYLOAD);
            if (ops != null) {
                byte[] pl = payload();
                if (!matcher.matches(ops, pl, pl.length, 0, -1)) continue;
            }
            fire(r, flow, false);
        }
    }

    private byte[] payload() {
        if (payloadCopy == null) payloadCopy = Arrays.copyOfRange(d.data, d.payloadOffset, d.payloadOffset + d.payloadLength);
        return payloadCopy;
    }

    private boolean packetConditions(Rule r) {
        switch (r.proto) {
            case TCP, TCP_PKT -> { if (!d.isTcp()) return false; }
            case UDP -> { if (!d.isUdp()) return false; }
            case ICMP -> { if (!d.isIcmp()) return false; }
            default -> { }
        }
        if (r.dsize != null && !r.dsize.test(d.payloadLength)) return false;
        if (r.ttl != null && !r.ttl.test(d.ttl)) return false;
        if (r.ipProto != null && !r.ipProto.test(d.proto)) return false;
        if (r.itype != null && (d.icmpType < 0 || !r.itype.test(d.icmpType))) return false;
        if (r.icode != null && (d.icmpCode < 0 || !r.icode.test(d.icmpCode))) return false;
        if (r.icmpId != null && (d.icmpId < 0 || !r.icmpId.test(d.icmpId))) return false;
        if (r.icmpSeq != null && (d.icmpSeq < 0 || !r.icmpSeq.test(d.icmpSeq))) return false;
        if (r.window != null && (!d.isTcp() || !r.window.test(d.window))) return false;
        if (r.ack != null && (!d.isTcp() || d.ack != r.ack)) return false;
        if (r.seq != null && (!d.isTcp() || d.seq != r.seq)) return false;
        if (r.hasFlags) {
            if (!d.isTcp()) return false;
            int f = d.tcpFlags & r.flagsMask;
            int want = r.flagsValue;
            boolean ok = switch (r.flagsMode) {
                case '+' -> (f & want) == want;
                case '*' -> (f & want) != 0;
                case '!' -> (f & want) == 0;
                default -> f == want;
            };
            if (!ok) return false;
        }
        if (r.sameIp) {
            if (d.ipVersion == 4 ? d.srcV4 != d.dstV4 : !Arrays.equals(d.src6, d.dst6)) return false;
        }
        return true;
    }

    private static boolean flowMatches(Rule r, Flow flow, boolean toServer) {
        if (r.toServer != null && (flow == null || r.toServer != toServer)) return false;
        if (r.established && (flow == null || !flow.established)) return false;
        if (r.notEstablished && flow != null && flow.established) return false;
        for (Rule.Flowbit fb : r.flowbits) {
            if (fb.op() == Rule.FlowbitOp.ISSET) {
                if (flow == null) return false;
                boolean ok = !fb.any();
                for (String n : fb.names()) {
                    if (fb.any() && flow.isSet(n)) ok = true;
                    if (!fb.any() && !flow.isSet(n)) ok = false;
                }
                if (!ok) return false;
            } else if (fb.op() == Rule.FlowbitOp.ISNOTSET && flow != null) {
                boolean ok = !fb.any();
                for (String n : fb.names()) {
                    if (fb.any() && !flow.isSet(n)) ok = true;
                    if (!fb.any() && flow.isSet(n)) ok = false;
                }
                if (!ok) return false;
            }
        }
        return true;
    }

    /** Addresses and ports; {@code swapped}: the data went the other way than the current packet. */
    private boolean header(Rule r, boolean swapped) {
        if (endpoints(r, swapped)) return true;
        return r.bidirectional && endpoints(r, !swapped);
    }

    private boolean endpoints(Rule r, boolean swapped) {
        int sp = swapped ? d.dstPort : d.srcPort, dp = swapped ? d.srcPort : d.dstPort;
        boolean ports = d.isTcp() || d.isUdp();
        if (ports && (!r.srcPorts.matchesPort(sp) || !r.dstPorts.matchesPort(dp))) return false;
        if (!ports && (!r.srcPorts.isAny() || !r.dstPorts.isAny())) return false;
        return r.src.matchesAddress(d, !swapped) && r.dst.matchesAddress(d, swapped);
    }

    private void fire(Rule r, Flow flow, boolean swapped) {
        if (flow != null) {
            for (Rule.Flowbit fb : r.flowbits) {
                switch (fb.op()) {
                    case SET -> fb.names().forEach(flow::set);
                    case UNSET -> fb.names().forEach(flow::unset);
                    case TOGGLE -> fb.names().forEach(n -> {
                        if (flow.isSet(n)) flow.unset(n);
                        else flow.set(n);
                    });
                    default -> { }
                }
            }
        }
        if (r.noAlert || !firedHere.add(r)) return;
        alerts++;
        boolean sw = swapped;
        sink.raise(new Alert(position, timestamp, r.gid, r.sid, r.rev, r.msg, r.category, r.severity(), d.protoName(),
                sw ? d.dstText() : d.srcText(), sw ? d.dstPort : d.srcPort, sw ? d.srcText() : d.dstText(),
                sw ? d.srcPort : d.dstPort, ANALYZER));
    }

    // ---- DNS

    private void dnsRules(Flow flow) {
        List<byte[]> names = AppParsers.dnsQueries(d.data, d.payloadOffset, d.payloadLength);
        if (names == null) return;
        if (AppParsers.dnsResponse(d.data, d.payloadOffset)) names = List.of(); // dns.query is the request's
        RuleGroup g = det.dns;
        candidates.begin(g.rules.length);
        candidates.addAll(g.always);
        for (byte[] n : names) g.scan(Buf.DNS_QUERY, n, 0, n.length, candidates);
        g.scan(Buf.PAYLOAD, d.data, d.payloadOffset, d.payloadOffset + d.payloadLength, candidates);
        candidates.sort();
        for (int k = 0; k < candidates.size; k++) {
            Rule r = g.rules[candidates.list[k]];
            if (!flowMatches(r, flow, packetToServer) || !header(r, false)) continue;
            boolean ok = true;
            for (Map.Entry<Buf, List<MatchOp>> e : r.buffers.entrySet()) {
                if (e.getKey() == Buf.DNS_QUERY) {
                    boolean any = false;
                    for (byte[] n : names) if (matcher.matches(e.getValue(), n, n.length, 0, -1)) { any = true; break; }
                    ok = any;
                } else {
                    byte[] pl = payload();
                    ok = matcher.matches(e.getValue(), pl, pl.length, 0, -1);
                }
                if (!ok) break;
            }
            if (ok) fire(r, flow, false);
        }
    }

    // ---- TCP streams

    private void tcpStreams(Flow f) {
        if (f.midstream && !settings.midstream()) {
            // not reassembled (pickup off): stream rules see this packet's payload alone
            if (d.payloadLength > 0 && !det.stream.isEmpty()) {
                byte[] pl = payload();
                streamRules(f, null, packetToServer, false, pl, 0, pl.length);
            }
            return;
        }
        boolean toServer = packetToServer;
        TcpStream own = stream(f, toServer);
        if ((d.tcpFlags & Decoded.SYN) != 0) own.syn(d.seq);
        if (d.payloadLength > 0) {
            // data on a SYN (TCP Fast Open) starts after the SYN's own sequence number
            long seq = (d.tcpFlags & Decoded.SYN) != 0 ? (d.seq + 1) & 0xffffffffL : d.seq;
            own.segment(seq, d.data, d.payloadOffset, d.payloadLength, streamSink);
        }
        if ((d.tcpFlags & Decoded.ACK) != 0) {
            TcpStream other = toServer ? f.toClient : f.toServer;
            if (other != null) other.acked(d.ack, streamSink);
        }
        if ((d.tcpFlags & (Decoded.FIN | Decoded.RST)) != 0) {
            own.fin();
            HttpParser p = toServer ? f.httpRequests : f.httpResponses;
            if (p != null) {
                httpSwapped = false;
                httpDirToServer = toServer;
                p.closed();
            }
        }
    }

    private TcpStream stream(Flow f, boolean toServer) {
        if (toServer) {
            if (f.toServer == null) f.toServer = newStream();
            return f.toServer;
        }
        if (f.toClient == null) f.toClient = newStream();
        return f.toClient;
    }

    private TcpStream newStream() {
        return new TcpStream(settings.streamWindow(), settings.streamMaxWaiting(), settings.streamDepth());
    }

    private void streamData(TcpStream s, byte[] window, int from, int to) {
        Flow f = current;
        boolean dirToServer = s == f.toServer;
        boolean swapped = dirToServer != packetToServer;
        if (!det.stream.isEmpty()) streamRules(f, s, dirToServer, swapped, window, from, to);
        if (det.needsHttp()) {
            HttpParser p = httpParser(f, dirToServer);
            if (!p.dead()) {
                httpSwapped = swapped;
                httpDirToServer = dirToServer;
                p.data(window, from, to);
            }
        }
        if (dirToServer && !f.tlsDone && !det.tls.isEmpty()) tlsData(f, swapped, window, from, to);
    }

    private void streamGap(TcpStream s) {
        Flow f = current;
        streamGaps++;
        boolean dirToServer = s == f.toServer;
        s.prefilterEnd = -1;
        Map<Rule, Long> hits = dirToServer ? f.fastHitsToServer : f.fastHitsToClient;
        if (hits != null) hits.clear();
        HttpParser p = dirToServer ? f.httpRequests : f.httpResponses;
        if (p != null) {
            httpSwapped = dirToServer != packetToServer;
            httpDirToServer = dirToServer;
            p.gap();
        }
        if (dirToServer) f.tlsDone = true;
    }

    /**
     * Stream rules over the window of reassembled bytes. A rule is a candidate while its fast pattern lies in the
     * window (remembered across packets, so a match whose fast pattern came in an earlier segment is still found);
     * it raises an alert only if its match reaches into this packet's new bytes — a match lying wholly in older bytes
     * was raised by the packet that completed it.
     */
    private void streamRules(Flow f, TcpStream s, boolean dirToServer, boolean swapped, byte[] window, int from, int to) {
        RuleGroup g = det.stream;
        long origin = s == null ? 0 : s.windowOrigin();
        Map<Rule, Long> hits = s == null ? new java.util.HashMap<>() : f.fastHits(dirToServer);
        AhoCorasick ac = g.prefilters.get(Buf.PAYLOAD);
        if (ac != null) {
            int[][] owners = g.patternRules.get(Buf.PAYLOAD);
            // a rule's fast pattern is remembered where its last occurrence in the new bytes ends
            candidates.beginScan(owners.length);
            int scanFrom = Math.max(0, from - ac.maxPatternLength() + 1);
            long rescanStart = origin + scanFrom;
            // Occurrences ending in the new bytes are found by scanning from a pattern's length before them. When the
            // last scan of this direction ended right where the new bytes start and its text (since prefilterStart)
            // covers that same start — the same bytes, or more of them while no occurrence ending in the new bytes
            // can reach further back — going on from its state finds exactly the same occurrences.
            if (s != null && s.prefilterEnd == origin + from
                    && (s.prefilterStart == rescanStart || (s.prefilterStart < rescanStart && scanFrom > 0))) {
                s.prefilterState = ac.scan(window, from, to, s.prefilterState, streamHit.of(from));
            } else {
                int state = ac.scan(window, scanFrom, to, 0, streamHit.of(from));
                if (s != null) {
                    s.prefilterState = state;
                    s.prefilterStart = rescanStart;
                }
            }
            if (s != null) s.prefilterEnd = origin + to;
            for (int k = 0; k < candidates.seenCount; k++) {
                int id = candidates.seen[k];
                long end = origin + candidates.patternEnd[id];
                for (int ri : owners[id]) hits.put(g.rules[ri], end);
            }
        }
        candidates.begin(g.rules.length);
        candidates.addAll(g.always);
        for (Iterator<Map.Entry<Rule, Long>> it = hits.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Rule, Long> e = it.next();
            if (e.getValue() - e.getKey().fastPattern.length < origin) {
                it.remove(); // slid out of the window
                continue;
            }
            candidates.add(indexOf(g, e.getKey()));
        }
        candidates.sort();
        for (int k = 0; k < candidates.size; k++) {
            Rule r = g.rules[candidates.list[k]];
            if (!flowMatches(r, f, dirToServer) || !header(r, swapped) || !packetConditions(r)) continue;
            List<MatchOp> ops = r.buffers.get(Buf.PAYLOAD);
            if (ops != null && !matcher.matches(ops, window, to, origin, from)) continue;
            fire(r, f, swapped);
        }
    }

    private final StreamHit streamHit = new StreamHit();

    /** Stream prefilter hits: only occurrences ending in the new bytes count. */
    private final class StreamHit implements AhoCorasick.Hit {
        private int from;

        StreamHit of(int from) {
            this.from = from;
            return this;
        }

        @Override
        public void hit(int patternId, int end) {
            if (end > from) candidates.firstHit(patternId, end);
        }
    }

    private static int indexOf(RuleGroup g, Rule r) {
        return g.positionOf(r);
    }

    // ---- HTTP

    private boolean httpSwapped, httpDirToServer;

    private HttpParser httpParser(Flow f, boolean toServer) {
        if (toServer) {
            if (f.httpRequests == null) {
                f.httpRequests = new HttpParser(true, settings.httpHeaderLimit(), settings.httpBodyLimit(), f.httpMethods, m -> httpMessage(f, m));
            }
            return f.httpRequests;
        }
        if (f.httpResponses == null) {
            f.httpResponses = new HttpParser(false, settings.httpHeaderLimit(), settings.httpBodyLimit(), f.httpMethods, m -> httpMessage(f, m));
        }
        return f.httpResponses;
    }

    private void httpMessage(Flow f, HttpMessage m) {
        RuleGroup g = m.request ? det.httpRequest : det.httpResponse;
        if (g.isEmpty()) return;
        candidates.begin(g.rules.length);
        candidates.addAll(g.always);
        long done = 0; // buffers (bits by ordinal) already scanned together with another holding the same bytes
        for (RuleGroup.Merged mg : g.merged) {
            byte[] a = m.buffer(mg.a());
            if (a != null && a == m.buffer(mg.b()) && (done & (1L << mg.a().ordinal() | 1L << mg.b().ordinal())) == 0) {
                g.scan(mg, a, candidates);
                done |= 1L << mg.a().ordinal() | 1L << mg.b().ordinal();
            }
        }
        for (Buf b : g.prefilters.keySet()) {
            if ((done & 1L << b.ordinal()) != 0) continue;
            byte[] buf = m.buffer(b);
            if (buf != null) g.scan(b, buf, 0, buf.length, candidates);
        }
        candidates.sort();
        for (int k = 0; k < candidates.size; k++) {
            Rule r = g.rules[candidates.list[k]];
            if (!flowMatches(r, f, httpDirToServer) || !header(r, httpSwapped)) continue;
            if (buffersMatch(r, m)) fire(r, f, httpSwapped);
        }
    }

    private boolean buffersMatch(Rule r, HttpMessage m) {
        for (Map.Entry<Buf, List<MatchOp>> e : r.buffers.entrySet()) {
            byte[] buf = m.buffer(e.getKey());
            if (buf == null || !matcher.matches(e.getValue(), buf, buf.length, 0, -1)) return false;
        }
        return true;
    }

    // ---- TLS

    private void tlsData(Flow f, boolean swapped, byte[] window, int from, int to) {
        int add = Math.min(to - from, 20_000 - f.tlsHello.length);
        if (add <= 0) {
            f.tlsDone = true;
            return;
        }
        byte[] hello = Arrays.copyOf(f.tlsHello, f.tlsHello.length + add);
        System.arraycopy(window, from, hello, f.tlsHello.length, add);
        f.tlsHello = hello;
        byte[][] sni = new byte[1][];
        AppParsers.TlsState st = AppParsers.clientHelloSni(hello, hello.length, sni);
        if (st == AppParsers.TlsState.NEED_MORE) return;
        f.tlsDone = true;
        f.tlsHello = null;
        if (st == AppParsers.TlsState.NOT_TLS || sni[0] == null) return;
        RuleGroup g = det.tls;
        candidates.begin(g.rules.length);
        candidates.addAll(g.always);
        g.scan(Buf.TLS_SNI, sni[0], 0, sni[0].length, candidates);
        g.scan(Buf.PAYLOAD, hello, 0, hello.length, candidates);
        candidates.sort();
        for (int k = 0; k < candidates.size; k++) {
            Rule r = g.rules[candidates.list[k]];
            if (!flowMatches(r, f, true) || !header(r, swapped)) continue;
            boolean ok = true;
            for (Map.Entry<Buf, List<MatchOp>> e : r.buffers.entrySet()) {
                byte[] buf = e.getKey() == Buf.TLS_SNI ? sni[0] : hello;
                if (!matcher.matches(e.getValue(), buf, buf.length, 0, -1)) { ok = false; break; }
            }
            if (ok) fire(r, f, swapped);
        }
    }
}
