package io.tandem.analyzer.rules.internal;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** One loaded rule: header, packet conditions, and per-buffer detection options. Immutable once loaded. */
public final class Rule {
    public enum Proto { IP, TCP, UDP, ICMP, TCP_PKT, HTTP, DNS, TLS }

    /**
     * Where the rule is evaluated: on each packet, on the reassembled TCP stream (at the packet that completes
     * the match), once per HTTP request or response (HTTP_ANY: both, for rules that name no direction), once per DNS query packet, once per TLS client hello.
     */
    public enum Context { PACKET, STREAM, HTTP_REQUEST, HTTP_RESPONSE, HTTP_ANY, DNS, TLS }

    public enum FlowbitOp { SET, UNSET, TOGGLE, ISSET, ISNOTSET }

    public record Flowbit(FlowbitOp op, List<String> names, boolean any) {
    }

    /** Index in load order: the tie-breaker that keeps evaluation order, hence alerts, deterministic. */
    public int index;
    public String file;
    public int line;
    public String text;

    public int gid = 1;
    public long sid = -1;
    public int rev = 1;
    public String msg = "";
    public String classtype;
    public String category = "";
    public int priority = -1;
    public Proto proto;
    public Context context;
    public NetSpec src, dst, srcPorts, dstPorts;
    public boolean bidirectional;

    /** flow: null = either direction. */
    public Boolean toServer;
    public boolean established, notEstablished, stateless, onlyStream, noStream;

    public NumRange dsize, ttl, itype, icode, icmpId, icmpSeq, ipProto, window;
    public Long ack, seq;
    public boolean sameIp;
    /** flags: required set bits, the bits to look at, mode: 0 exact, '+' all of, '*' any of, '!' none of. */
    public int flagsValue, flagsMask = 0xff;
    public char flagsMode;
    public boolean hasFlags;

    public final List<Flowbit> flowbits = new ArrayList<>();
    public boolean noAlert;

    public final Map<Buf, List<MatchOp>> buffers = new EnumMap<>(Buf.class);
    /** The pattern fed to the prefilter (lower-cased), the buffer it is in; null when the rule has no content. */
    public byte[] fastPattern;
    public Buf fastPatternBuffer;

    public boolean setsFlowbits() {
        for (Flowbit f : flowbits) if (f.op() == FlowbitOp.SET || f.op() == FlowbitOp.UNSET || f.op() == FlowbitOp.TOGGLE) return true;
        return false;
    }

    public int severity() {
        return priority > 0 ? priority : 3;
    }

    @Override
    public String toString() {
        return "sid " + gid + ":" + sid + " (" + file + ":" + line + ")";
    }
}
