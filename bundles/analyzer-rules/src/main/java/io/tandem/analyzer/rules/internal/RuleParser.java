package io.tandem.analyzer.rules.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses one rule in Snort 2.9 / Suricata syntax into a {@link Rule}. Anything it does not implement makes it throw
 * (rule skipped with the reason) rather than load a rule that would match differently from what its author wrote.
 */
public final class RuleParser {
    public record Classification(String name, String description, int priority) {
    }

    /** Keywords that change nothing about what matches: they are read and otherwise ignored. */
    private static final Set<String> INFORMATIONAL = Set.of("reference", "metadata", "target", "tag", "prefilter", "rawbytes");

    /** Snort-style content modifiers: they move the content just before them into a buffer. */
    private static final Map<String, Buf> MODIFIERS = Map.ofEntries(
            Map.entry("http_uri", Buf.HTTP_URI), Map.entry("http_raw_uri", Buf.HTTP_RAW_URI),
            Map.entry("http_method", Buf.HTTP_METHOD), Map.entry("http_header", Buf.HTTP_HEADER),
            Map.entry("http_raw_header", Buf.HTTP_RAW_HEADER), Map.entry("http_cookie", Buf.HTTP_COOKIE),
            Map.entry("http_raw_cookie", Buf.HTTP_COOKIE), Map.entry("http_client_body", Buf.HTTP_CLIENT_BODY),
            Map.entry("http_stat_code", Buf.HTTP_STAT_CODE), Map.entry("http_stat_msg", Buf.HTTP_STAT_MSG),
            Map.entry("http_user_agent", Buf.HTTP_USER_AGENT), Map.entry("http_host", Buf.HTTP_HOST),
            Map.entry("http_raw_host", Buf.HTTP_RAW_HOST), Map.entry("http_server_body", Buf.HTTP_RESPONSE_BODY));

    /** Sticky buffers (Suricata names and their older underscore aliases): every later option goes into them. */
    private static final Map<String, Buf> STICKY = Map.ofEntries(
            Map.entry("pkt_data", Buf.PAYLOAD),
            Map.entry("http.uri", Buf.HTTP_URI), Map.entry("http.uri.raw", Buf.HTTP_RAW_URI),
            Map.entry("http.method", Buf.HTTP_METHOD), Map.entry("http.request_line", Buf.HTTP_REQUEST_LINE),
            Map.entry("http_request_line", Buf.HTTP_REQUEST_LINE),
            Map.entry("http.request_body", Buf.HTTP_CLIENT_BODY), Map.entry("http.host", Buf.HTTP_HOST),
            Map.entry("http.host.raw", Buf.HTTP_RAW_HOST), Map.entry("http.user_agent", Buf.HTTP_USER_AGENT),
            Map.entry("http.referer", Buf.HTTP_REFERER), Map.entry("http_referer", Buf.HTTP_REFERER),
            Map.entry("http.cookie", Buf.HTTP_COOKIE),
            Map.entry("http.accept", Buf.HTTP_ACCEPT), Map.entry("http_accept", Buf.HTTP_ACCEPT),
            Map.entry("http.accept_enc", Buf.HTTP_ACCEPT_ENC), Map.entry("http_accept_enc", Buf.HTTP_ACCEPT_ENC),
            Map.entry("http.accept_lang", Buf.HTTP_ACCEPT_LANG), Map.entry("http_accept_lang", Buf.HTTP_ACCEPT_LANG),
            Map.entry("http.stat_code", Buf.HTTP_STAT_CODE), Map.entry("http.stat_msg", Buf.HTTP_STAT_MSG),
            Map.entry("http.response_line", Buf.HTTP_RESPONSE_LINE), Map.entry("http_response_line", Buf.HTTP_RESPONSE_LINE),
            Map.entry("http.response_body", Buf.HTTP_RESPONSE_BODY), Map.entry("file_data", Buf.FILE_DATA),
            Map.entry("file.data", Buf.FILE_DATA),
            Map.entry("http.server", Buf.HTTP_SERVER), Map.entry("http_server", Buf.HTTP_SERVER),
            Map.entry("http.location", Buf.HTTP_LOCATION), Map.entry("http_location", Buf.HTTP_LOCATION),
            Map.entry("http.header", Buf.HTTP_HEADER), Map.entry("http.header.raw", Buf.HTTP_RAW_HEADER),
            Map.entry("http.header_names", Buf.HTTP_HEADER_NAMES), Map.entry("http_header_names", Buf.HTTP_HEADER_NAMES),
            Map.entry("http.protocol", Buf.HTTP_PROTOCOL), Map.entry("http_protocol", Buf.HTTP_PROTOCOL),
            Map.entry("http.start", Buf.HTTP_START), Map.entry("http_start", Buf.HTTP_START),
            Map.entry("http.content_type", Buf.HTTP_CONTENT_TYPE), Map.entry("http_content_type", Buf.HTTP_CONTENT_TYPE),
            Map.entry("http.content_len", Buf.HTTP_CONTENT_LEN), Map.entry("http_content_len", Buf.HTTP_CONTENT_LEN),
            Map.entry("http.connection", Buf.HTTP_CONNECTION), Map.entry("http_connection", Buf.HTTP_CONNECTION),
            Map.entry("dns.query", Buf.DNS_QUERY), Map.entry("dns_query", Buf.DNS_QUERY),
            Map.entry("tls.sni", Buf.TLS_SNI), Map.entry("tls_sni", Buf.TLS_SNI));

    /** pcre buffer flags (Snort and Suricata). */
    private static final Map<Character, Buf> PCRE_BUFFERS = Map.ofEntries(
            Map.entry('U', Buf.HTTP_URI), Map.entry('I', Buf.HTTP_RAW_URI), Map.entry('H', Buf.HTTP_HEADER),
            Map.entry('D', Buf.HTTP_RAW_HEADER), Map.entry('M', Buf.HTTP_METHOD), Map.entry('C', Buf.HTTP_COOKIE),
            Map.entry('K', Buf.HTTP_COOKIE), Map.entry('P', Buf.HTTP_CLIENT_BODY), Map.entry('S', Buf.HTTP_STAT_CODE),
            Map.entry('Y', Buf.HTTP_STAT_MSG), Map.entry('V', Buf.HTTP_USER_AGENT), Map.entry('W', Buf.HTTP_HOST),
            Map.entry('Z', Buf.HTTP_RAW_HOST), Map.entry('Q', Buf.HTTP_RESPONSE_BODY));

    private static final Pattern QUANTIFIER = Pattern.compile("\\{\\d+(,\\d*)?\\}");

    private final Map<String, String> vars;
    private final Map<String, Classification> classifications;

    public RuleParser(Map<String, String> vars, Map<String, Classification> classifications) {
        this.vars = vars;
        this.classifications = classifications;
    }

    /** One op in rule order with the buffer it belongs to. */
    private record Placed(MatchOp op, Buf sticky) {
    }

    public Rule parse(String text) {
        String t = text.trim();
        int open = t.indexOf('(');
        if (open < 0 || !t.endsWith(")")) throw new RuleSyntaxException("rule must be 'header (options)'");
        String[] h = t.substring(0, open).trim().split("\\s+");
        if (h.length != 7) throw new RuleSyntaxException("header needs 7 fields (action proto src sport -> dst dport), has " + h.length);
        Rule r = new Rule();
        r.text = t;
        String action = h[0].toLowerCase(Locale.ROOT);
        switch (action) {
            case "alert", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth" -> { } // an IDS alerts on all of them
            case "pass", "log", "sdrop", "activate", "dynamic" -> throw RuleSyntaxException.unsupported("action '" + action + "'");
            default -> throw new RuleSyntaxException("unknown action '" + h[0] + "'");
        }
        String proto = h[1].toLowerCase(Locale.ROOT);
        boolean forceStream = false;
        r.proto = switch (proto) {
            case "ip" -> Rule.Proto.IP;
            case "tcp" -> Rule.Proto.TCP;
            case "tcp-stream" -> {
                forceStream = true;
                yield Rule.Proto.TCP;
            }
            case "tcp-pkt" -> Rule.Proto.TCP_PKT;
            case "udp" -> Rule.Proto.UDP;
            case "icmp" -> Rule.Proto.ICMP;
            case "http", "http1" -> Rule.Proto.HTTP;
            case "dns" -> Rule.Proto.DNS;
            case "tls" -> Rule.Proto.TLS;
            default -> throw RuleSyntaxException.unsupported("protocol '" + proto + "'");
        };
        try {
            r.src = NetSpec.parseAddress(h[2], vars);
            r.srcPorts = NetSpec.parsePort(h[3], vars);
            r.dst = NetSpec.parseAddress(h[5], vars);
            r.dstPorts = NetSpec.parsePort(h[6], vars);
        } catch (IllegalArgumentException e) {
            throw new RuleSyntaxException("header: " + e.getMessage());
        }
        switch (h[4]) {
            case "->" -> r.bidirectional = false;
            case "<>" -> r.bidirectional = true;
            case "<-" -> throw new RuleSyntaxException("direction '<-' is not valid (use ->)");
            default -> throw new RuleSyntaxException("bad direction '" + h[4] + "'");
        }

        List<Placed> placed = new ArrayList<>();
        Buf sticky = Buf.PAYLOAD;
        MatchOp.Content last = null;
        Buf lastBuffer = Buf.PAYLOAD;
        boolean payloadOps = false;
        for (String[] opt : splitOptions(t.substring(open + 1, t.length() - 1))) {
            String name = opt[0].toLowerCase(Locale.ROOT);
            String value = opt[1];
            if (STICKY.containsKey(name)) {
                if (value != null) throw new RuleSyntaxException(name + " takes no value");
                sticky = STICKY.get(name);
                last = null;
                continue;
            }
            if (MODIFIERS.containsKey(name)) {
                if (last == null) throw new RuleSyntaxException(name + " without a content before it");
                last.modifierBuffer = MODIFIERS.get(name);
                lastBuffer = last.modifierBuffer;
                continue;
            }
            if (INFORMATIONAL.contains(name)) continue;
            switch (name) {
                case "msg" -> r.msg = unquote(need(name, value));
                case "sid" -> r.sid = parseLong(name, need(name, value));
                case "gid" -> r.gid = (int) parseLong(name, need(name, value));
                case "rev" -> r.rev = (int) parseLong(name, need(name, value));
                case "classtype" -> r.classtype = need(name, value).trim();
                case "priority" -> r.priority = (int) parseLong(name, need(name, value));
                case "noalert" -> r.noAlert = true;
                case "content", "uricontent" -> {
                    last = content(need(name, value));
                    if (name.equals("uricontent")) last.modifierBuffer = Buf.HTTP_URI;
                    placed.add(new Placed(last, sticky));
                    lastBuffer = last.modifierBuffer != null ? last.modifierBuffer : sticky;
                    payloadOps = true;
                }
                case "nocase" -> {
                    contentFor(name, last).nocase = true;
                    last.pattern = lower(last.pattern);
                }
                case "offset" -> contentFor(name, last).offset = intValue(name, value);
                case "depth" -> contentFor(name, last).depth = positive(name, intValue(name, value));
                case "distance" -> contentFor(name, last).distance = intValue(name, value);
                case "within" -> contentFor(name, last).within = positive(name, intValue(name, value));
                case "startswith" -> contentFor(name, last).startsWith = true;
                case "endswith" -> contentFor(name, last).endsWith = true;
                case "fast_pattern" -> fastPattern(contentFor(name, last), value);
                case "pcre" -> {
                    Buf[] into = new Buf[1];
                    MatchOp.Pcre p = pcre(need(name, value), into);
                    Buf b = into[0] != null ? into[0] : sticky;
                    placed.add(new Placed(p, b));
                    lastBuffer = b;
                    last = null;
                    payloadOps = true;
                }
                case "isdataat" -> {
                    MatchOp.IsDataAt d = isDataAt(need(name, value));
                    placed.add(new Placed(d, d.relative() ? lastBuffer : sticky));
                    payloadOps = true;
                }
                case "byte_test" -> {
                    MatchOp.ByteTest bt = byteTest(need(name, value));
                    placed.add(new Placed(bt, bt.relative() ? lastBuffer : sticky));
                    payloadOps = true;
                }
                case "byte_jump" -> {
                    MatchOp.ByteJump bj = byteJump(need(name, value));
                    placed.add(new Placed(bj, bj.relative() ? lastBuffer : sticky));
                    lastBuffer = bj.relative() ? lastBuffer : sticky;
                    payloadOps = true;
                }
                case "bsize" -> placed.add(new Placed(new MatchOp.Size(NumRange.parse(name, need(name, value))), sticky));
                case "urilen" -> {
                    String[] parts = need(name, value).split(",");
                    Buf b = parts.length > 1 && parts[1].trim().equalsIgnoreCase("raw") ? Buf.HTTP_RAW_URI : Buf.HTTP_URI;
                    placed.add(new Placed(new MatchOp.Size(NumRange.parse(name, parts[0])), b));
                }
                case "dsize" -> r.dsize = NumRange.parse(name, need(name, value));
                case "ttl" -> r.ttl = NumRange.parse(name, need(name, value));
                case "itype" -> r.itype = NumRange.parse(name, need(name, value));
                case "icode" -> r.icode = NumRange.parse(name, need(name, value));
                case "icmp_id" -> r.icmpId = NumRange.parse(name, need(name, value));
                case "icmp_seq" -> r.icmpSeq = NumRange.parse(name, need(name, value));
                case "ip_proto" -> r.ipProto = ipProto(need(name, value));
                case "window" -> r.window = NumRange.parse(name, need(name, value));
                case "ack" -> r.ack = parseLong(name, need(name, value));
                case "seq" -> r.seq = parseLong(name, need(name, value));
                case "sameip" -> r.sameIp = true;
                case "flags" -> flags(r, need(name, value));
                case "flow" -> flow(r, need(name, value));
                case "flowbits" -> flowbits(r, need(name, value));
                case "threshold", "detection_filter", "event_filter" -> throw RuleSyntaxException.unsupported(
                        name + " (its time windows follow capture timestamps, which differ between replicas)");
                default -> throw RuleSyntaxException.unsupported("keyword '" + name + "'");
            }
        }
        if (r.sid < 0) throw new RuleSyntaxException("no sid");
        if (r.classtype != null) {
            Classification c = classifications.get(r.classtype);
            if (c == null) {
                if (!classifications.isEmpty()) throw new RuleSyntaxException("unknown classtype '" + r.classtype + "'");
                r.category = r.classtype;
            } else {
                r.category = c.description();
                if (r.priority < 0) r.priority = c.priority();
            }
        }
        for (Placed p : placed) {
            Buf b = p.op() instanceof MatchOp.Content c && c.modifierBuffer != null ? c.modifierBuffer : p.sticky();
            r.buffers.computeIfAbsent(b, k -> new ArrayList<>()).add(p.op());
        }
        decideContext(r, forceStream, payloadOps);
        chooseFastPattern(r);
        return r;
    }

    private static void decideContext(Rule r, boolean forceStream, boolean payloadOps) {
        boolean request = false, response = false, http = r.proto == Rule.Proto.HTTP, dns = false, tls = false;
        for (Buf b : r.buffers.keySet()) {
            switch (b.side) {
                case REQUEST -> { request = true; http = true; }
                case RESPONSE -> { response = true; http = true; }
                case HTTP -> http = true;
                case DNS -> dns = true;
                case TLS -> tls = true;
                default -> { }
            }
        }
        if ((http ? 1 : 0) + (dns ? 1 : 0) + (tls ? 1 : 0) > 1) throw new RuleSyntaxException("mixes buffers of different protocols");
        if (http) {
            if (r.proto != Rule.Proto.HTTP && r.proto != Rule.Proto.TCP && r.proto != Rule.Proto.IP)
                throw new RuleSyntaxException("HTTP buffers on protocol " + r.proto.name().toLowerCase(Locale.ROOT));
            if (request && response) throw RuleSyntaxException.unsupported("mixes HTTP request and response buffers");
            boolean toClient = Boolean.FALSE.equals(r.toServer);
            if (request && toClient) throw new RuleSyntaxException("HTTP request buffers with flow:to_client never match");
            if (response && Boolean.TRUE.equals(r.toServer)) throw new RuleSyntaxException("HTTP response buffers with flow:to_server never match");
            r.context = response || toClient ? Rule.Context.HTTP_RESPONSE
                    : request || r.toServer != null ? Rule.Context.HTTP_REQUEST : Rule.Context.HTTP_ANY;
            return;
        }
        if (dns || r.proto == Rule.Proto.DNS) {
            if (r.proto == Rule.Proto.TCP || r.proto == Rule.Proto.TCP_PKT || r.proto == Rule.Proto.ICMP)
                throw RuleSyntaxException.unsupported("DNS over TCP");
            r.context = Rule.Context.DNS;
            return;
        }
        if (tls || r.proto == Rule.Proto.TLS) {
            if (!tls) throw RuleSyntaxException.unsupported("tls rules without tls.sni (only the client hello's SNI is parsed)");
            r.context = Rule.Context.TLS;
            return;
        }
        if (r.proto == Rule.Proto.TCP && payloadOps && (forceStream || r.onlyStream
                || (r.dsize == null && !r.noStream && !r.stateless))) {
            r.context = Rule.Context.STREAM;
        } else {
            if (forceStream || r.onlyStream) throw new RuleSyntaxException("stream-only rule without payload options");
            r.context = Rule.Context.PACKET;
        }
    }

    private static void chooseFastPattern(Rule r) {
        MatchOp.Content best = null;
        Buf bestBuf = null;
        for (Map.Entry<Buf, List<MatchOp>> e : r.buffers.entrySet()) {
            for (MatchOp op : e.getValue()) {
                if (!(op instanceof MatchOp.Content c) || c.negated) continue;
                if (c.fastPattern) {
                    if (best != null && best.fastPattern) throw new RuleSyntaxException("fast_pattern set twice");
                    best = c;
                    bestBuf = e.getKey();
                } else if (best == null || (!best.fastPattern && c.pattern.length > best.pattern.length)) {
                    best = c;
                    bestBuf = e.getKey();
                }
            }
        }
        if (best == null) return;
        byte[] p = best.pattern;
        if (best.fpOffset >= 0) {
            if (best.fpOffset + best.fpLength > p.length) throw new RuleSyntaxException("fast_pattern:" + best.fpOffset + "," + best.fpLength + " is outside the content");
            p = java.util.Arrays.copyOfRange(p, best.fpOffset, best.fpOffset + best.fpLength);
        }
        r.fastPattern = lower(p);
        r.fastPatternBuffer = bestBuf;
    }

    // ---- option values

    static List<String[]> splitOptions(String body) {
        List<String[]> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                cur.append(c).append(body.charAt(++i));
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (c == ';' && !quoted) {
                addOption(out, cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) throw new RuleSyntaxException("unterminated quote in options");
        if (!cur.toString().isBlank()) throw new RuleSyntaxException("last option '" + cur.toString().trim() + "' has no ';'");
        return out;
    }

    private static void addOption(List<String[]> out, String raw) {
        String s = raw.trim();
        if (s.isEmpty()) return;
        int colon = s.indexOf(':');
        if (colon < 0) out.add(new String[]{s, null});
        else out.add(new String[]{s.substring(0, colon).trim(), s.substring(colon + 1).trim()});
    }

    private static String need(String name, String value) {
        if (value == null || value.isEmpty()) throw new RuleSyntaxException(name + " needs a value");
        return value;
    }

    private static String unquote(String v) {
        String s = v.trim();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = s.substring(1, s.length() - 1);
        return s.replace("\\\"", "\"").replace("\\;", ";").replace("\\\\", "\\");
    }

    private static long parseLong(String name, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new RuleSyntaxException(name + ": '" + v + "' is not a number");
        }
    }

    private static int intValue(String name, String v) {
        need(name, v);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            if (v.trim().matches("[A-Za-z_][A-Za-z0-9_]*")) throw RuleSyntaxException.unsupported(name + " from a byte_extract variable");
            throw new RuleSyntaxException(name + ": '" + v + "' is not a number");
        }
    }

    private static int positive(String name, int v) {
        if (v < 1) throw new RuleSyntaxException(name + " must be at least 1, is " + v);
        return v;
    }

    private static MatchOp.Content contentFor(String name, MatchOp.Content last) {
        if (last == null) throw new RuleSyntaxException(name + " without a content before it");
        return last;
    }

    private static void fastPattern(MatchOp.Content c, String value) {
        c.fastPattern = true;
        if (value == null) return;
        String v = value.trim();
        if (v.equals("only")) {
            c.fastPatternOnly = true;
            return;
        }
        String[] p = v.split(",");
        if (p.length != 2) throw new RuleSyntaxException("fast_pattern: expected 'only' or offset,length, got '" + v + "'");
        c.fpOffset = (int) parseLong("fast_pattern", p[0]);
        c.fpLength = (int) parseLong("fast_pattern", p[1]);
    }

    static MatchOp.Content content(String value) {
        String v = value.trim();
        MatchOp.Content c = new MatchOp.Content();
        if (v.startsWith("!")) {
            c.negated = true;
            v = v.substring(1).trim();
        }
        if (v.length() < 2 || !v.startsWith("\"") || !v.endsWith("\"")) throw new RuleSyntaxException("content must be quoted: " + value);
        c.pattern = contentBytes(v.substring(1, v.length() - 1));
        if (c.pattern.length == 0) throw new RuleSyntaxException("empty content");
        return c;
    }

    /** Text with |hex bytes| sections and \" \; \\ \: escapes. */
    static byte[] contentBytes(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        boolean hex = false;
        StringBuilder digits = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '|') {
                if (hex && digits.length() > 0) throw new RuleSyntaxException("odd number of hex digits in content");
                hex = !hex;
                continue;
            }
            if (hex) {
                if (c == ' ') {
                    if (digits.length() == 1) throw new RuleSyntaxException("odd number of hex digits in content");
                    continue;
                }
                if (Character.digit(c, 16) < 0) throw new RuleSyntaxException("bad hex digit '" + c + "' in content");
                digits.append(c);
                if (digits.length() == 2) {
                    out.write(Integer.parseInt(digits.toString(), 16));
                    digits.setLength(0);
                }
                continue;
            }
            if (c == '\\') {
                if (i + 1 >= s.length()) throw new RuleSyntaxException("content ends with a lone backslash");
                c = s.charAt(++i);
                if (c != '"' && c != ';' && c != '\\' && c != ':' && c != '|') throw new RuleSyntaxException("bad escape \\" + c + " in content");
            } else if (c == '"') {
                throw new RuleSyntaxException("unescaped \" in content");
            }
            byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
            out.write(b, 0, b.length);
        }
        if (hex) throw new RuleSyntaxException("unterminated |hex| in content");
        return out.toByteArray();
    }

    static byte[] lower(byte[] p) {
        byte[] l = new byte[p.length];
        for (int i = 0; i < p.length; i++) l[i] = Matcher.lower(p[i]);
        return l;
    }

    static MatchOp.Pcre pcre(String value, Buf[] bufferOut) {
        String v = value.trim();
        boolean negated = false;
        if (v.startsWith("!")) {
            negated = true;
            v = v.substring(1).trim();
        }
        if (v.length() < 2 || !v.startsWith("\"") || !v.endsWith("\"")) throw new RuleSyntaxException("pcre must be quoted: " + value);
        v = v.substring(1, v.length() - 1).replace("\\;", ";").replace("\\\"", "\"");
        if (!v.startsWith("/")) throw new RuleSyntaxException("pcre must be /regex/flags: " + value);
        int end = v.lastIndexOf('/');
        if (end <= 0) throw new RuleSyntaxException("pcre has no closing /");
        String regex = v.substring(1, end);
        int flags = Pattern.UNIX_LINES;
        boolean relative = false, anchored = false;
        for (char f : v.substring(end + 1).toCharArray()) {
            switch (f) {
                case 'i' -> flags |= Pattern.CASE_INSENSITIVE;
                case 's' -> flags |= Pattern.DOTALL;
                case 'm' -> flags |= Pattern.MULTILINE;
                case 'x' -> flags |= Pattern.COMMENTS;
                case 'A' -> anchored = true;
                case 'R' -> relative = true;
                case 'B', 'O' -> { } // rawbytes (our payload is raw already), match-limit override
                default -> {
                    Buf b = PCRE_BUFFERS.get(f);
                    if (b == null) throw RuleSyntaxException.unsupported("pcre flag '" + f + "'");
                    bufferOut[0] = b;
                }
            }
        }
        String java = translateRegex(regex);
        try {
            return new MatchOp.Pcre(Pattern.compile(java, flags), negated, relative, anchored, regex);
        } catch (PatternSyntaxException e) {
            throw RuleSyntaxException.unsupported("pcre not expressible in java.util.regex: " + e.getDescription());
        }
    }

    /** PCRE constructs with another spelling in java.util.regex. */
    static String translateRegex(String r) {
        if (r.contains("(?P>") || r.contains("(?R)") || r.contains("(?(")) throw RuleSyntaxException.unsupported("pcre recursion/conditionals are not in java.util.regex");
        StringBuilder out = new StringBuilder(r.length() + 8);
        boolean inClass = false;
        for (int i = 0; i < r.length(); i++) {
            char c = r.charAt(i);
            if (c == '\\' && i + 1 < r.length()) {
                char n = r.charAt(i + 1);
                if (n == '0' && (i + 2 >= r.length() || r.charAt(i + 2) < '0' || r.charAt(i + 2) > '7')) {
                    out.append("\\x00"); // PCRE \0 alone is NUL; java wants octal digits after it
                    i++;
                    continue;
                }
                out.append(c).append(n);
                i++;
                continue;
            }
            if (c == '[') inClass = true;
            else if (c == ']' && inClass) inClass = false;
            if (c == '{' && !inClass && !QUANTIFIER.matcher(r).region(i, r.length()).lookingAt()) {
                out.append("\\{"); // PCRE takes a brace that starts no quantifier literally; java refuses it
                continue;
            }
            if (c == '(' && r.startsWith("(?P<", i)) {
                out.append("(?<");
                i += 3;
                continue;
            }
            if (c == '(' && r.startsWith("(?P=", i)) {
                int close = r.indexOf(')', i);
                if (close < 0) throw new RuleSyntaxException("pcre: unclosed (?P=");
                out.append("\\k<").append(r, i + 4, close).append(">");
                i = close;
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    private static MatchOp.IsDataAt isDataAt(String value) {
        String[] p = value.split(",");
        String n = p[0].trim();
        boolean neg = n.startsWith("!");
        if (neg) n = n.substring(1).trim();
        boolean rel = false;
        for (int i = 1; i < p.length; i++) {
            String o = p[i].trim();
            if (o.equals("relative")) rel = true;
            else if (!o.equals("rawbytes")) throw RuleSyntaxException.unsupported("isdataat option '" + o + "'");
        }
        return new MatchOp.IsDataAt(intValue("isdataat", n), rel, neg);
    }

    private static MatchOp.ByteTest byteTest(String value) {
        String[] p = value.split(",");
        if (p.length < 4) throw new RuleSyntaxException("byte_test needs bytes,operator,value,offset");
        int bytes = intValue("byte_test", p[0]);
        String op = p[1].trim();
        boolean neg = op.startsWith("!");
        if (neg) op = op.substring(1);
        if (!Set.of("<", ">", "=", "<=", ">=", "&", "^").contains(op)) throw new RuleSyntaxException("byte_test: bad operator '" + p[1].trim() + "'");
        long val = numberOrUnsupported("byte_test", p[2]);
        int offset = intValue("byte_test", p[3]);
        boolean rel = false, little = false, string = false;
        int base = 0;
        long mask = 0;
        for (int i = 4; i < p.length; i++) {
            String o = p[i].trim();
            switch (o) {
                case "relative" -> rel = true;
                case "little" -> little = true;
                case "big" -> little = false;
                case "string" -> string = true;
                case "hex" -> base = 16;
                case "dec" -> base = 10;
                case "oct" -> base = 8;
                default -> {
                    if (o.startsWith("bitmask")) mask = bitmask(o);
                    else throw RuleSyntaxException.unsupported("byte_test option '" + o + "'");
                }
            }
        }
        if (string && base == 0) base = 10;
        if (!string) base = 0;
        if (bytes < 1 || bytes > (string ? 10 : 8)) throw new RuleSyntaxException("byte_test: bad byte count " + bytes);
        return new MatchOp.ByteTest(bytes, op, neg, val, offset, rel, little, base, mask);
    }

    private static MatchOp.ByteJump byteJump(String value) {
        String[] p = value.split(",");
        if (p.length < 2) throw new RuleSyntaxException("byte_jump needs bytes,offset");
        int bytes = intValue("byte_jump", p[0]);
        int offset = intValue("byte_jump", p[1]);
        boolean rel = false, little = false, string = false, align = false, fromBeginning = false, fromEnd = false;
        int base = 0, post = 0;
        long mult = 1, mask = 0;
        for (int i = 2; i < p.length; i++) {
            String o = p[i].trim();
            String[] kv = o.split("\\s+", 2);
            switch (kv[0]) {
                case "relative" -> rel = true;
                case "little" -> little = true;
                case "big" -> little = false;
                case "string" -> string = true;
                case "hex" -> base = 16;
                case "dec" -> base = 10;
                case "oct" -> base = 8;
                case "align" -> align = true;
                case "from_beginning" -> fromBeginning = true;
                case "from_end" -> fromEnd = true;
                case "multiplier" -> mult = parseLong("byte_jump multiplier", kv.length > 1 ? kv[1] : "");
                case "post_offset" -> post = (int) parseLong("byte_jump post_offset", kv.length > 1 ? kv[1] : "");
                case "bitmask" -> mask = bitmask(o);
                default -> throw RuleSyntaxException.unsupported("byte_jump option '" + o + "'");
            }
        }
        if (string && base == 0) base = 10;
        if (!string) base = 0;
        if (bytes < 1 || bytes > (string ? 10 : 8)) throw new RuleSyntaxException("byte_jump: bad byte count " + bytes);
        return new MatchOp.ByteJump(bytes, offset, rel, mult, little, base, align, fromBeginning, fromEnd, post, mask);
    }

    private static long bitmask(String o) {
        String v = o.substring("bitmask".length()).trim();
        try {
            return v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new RuleSyntaxException("bad bitmask '" + v + "'");
        }
    }

    private static long numberOrUnsupported(String name, String v) {
        String s = v.trim();
        try {
            return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            if (s.matches("[A-Za-z_][A-Za-z0-9_]*")) throw RuleSyntaxException.unsupported(name + " value from a byte_extract variable");
            throw new RuleSyntaxException(name + ": '" + v + "' is not a number");
        }
    }

    private static NumRange ipProto(String v) {
        String s = v.trim();
        Map<String, Integer> names = Map.of("tcp", 6, "udp", 17, "icmp", 1, "ipv6-icmp", 58, "igmp", 2, "gre", 47, "esp", 50, "ah", 51, "sctp", 132);
        Integer n = names.get(s.replaceFirst("^[!<>]", "").toLowerCase(Locale.ROOT));
        if (n != null) s = s.replaceFirst("[A-Za-z][A-Za-z0-9-]*", n.toString());
        return NumRange.parse("ip_proto", s);
    }

    private static void flags(Rule r, String v) {
        String[] p = v.split(",");
        String f = p[0].trim();
        r.hasFlags = true;
        if (!f.isEmpty() && "+*!".indexOf(f.charAt(0)) >= 0) {
            r.flagsMode = f.charAt(0);
            f = f.substring(1);
        }
        int value = 0;
        for (char c : f.toCharArray()) {
            int bit = flagBit(c);
            if (bit < 0 && !(r.flagsMode == 0 && value == 0)) throw new RuleSyntaxException("flags: bad flag '" + c + "'");
            if (bit < 0) { // modifier written after the flags (Snort allows "SA+")
                if ("+*!".indexOf(c) >= 0) r.flagsMode = c;
                else throw new RuleSyntaxException("flags: bad flag '" + c + "'");
            } else value |= bit;
        }
        r.flagsValue = value;
        if (p.length > 1) {
            int ignore = 0;
            for (char c : p[1].trim().toCharArray()) {
                int bit = flagBit(c);
                if (bit < 0) throw new RuleSyntaxException("flags: bad mask flag '" + c + "'");
                ignore |= bit;
            }
            r.flagsMask = 0xff & ~ignore;
        }
    }

    private static int flagBit(char c) {
        return switch (c) {
            case 'F' -> Decoded.FIN;
            case 'S' -> Decoded.SYN;
            case 'R' -> Decoded.RST;
            case 'P' -> Decoded.PSH;
            case 'A' -> Decoded.ACK;
            case 'U' -> Decoded.URG;
            case 'C', '2' -> Decoded.CWR;
            case 'E', '1' -> Decoded.ECE;
            case '0' -> 0;
            default -> -1;
        };
    }

    private static void flow(Rule r, String v) {
        for (String part : v.split(",")) {
            switch (part.trim().toLowerCase(Locale.ROOT)) {
                case "to_server", "from_client" -> r.toServer = Boolean.TRUE;
                case "to_client", "from_server" -> r.toServer = Boolean.FALSE;
                case "established" -> r.established = true;
                case "not_established" -> r.notEstablished = true;
                case "stateless" -> r.stateless = true;
                case "only_stream" -> r.onlyStream = true;
                case "no_stream" -> r.noStream = true;
                case "" -> { }
                default -> throw RuleSyntaxException.unsupported("flow option '" + part.trim() + "'");
            }
        }
    }

    private static void flowbits(Rule r, String v) {
        String[] p = v.split(",", 2);
        String op = p[0].trim().toLowerCase(Locale.ROOT);
        if (op.equals("noalert")) {
            r.noAlert = true;
            return;
        }
        Rule.FlowbitOp fo = switch (op) {
            case "set" -> Rule.FlowbitOp.SET;
            case "unset" -> Rule.FlowbitOp.UNSET;
            case "toggle" -> Rule.FlowbitOp.TOGGLE;
            case "isset" -> Rule.FlowbitOp.ISSET;
            case "isnotset" -> Rule.FlowbitOp.ISNOTSET;
            default -> throw RuleSyntaxException.unsupported("flowbits operation '" + op + "'");
        };
        if (p.length < 2 || p[1].isBlank()) throw new RuleSyntaxException("flowbits:" + op + " needs a name");
        String names = p[1].trim();
        boolean any = names.contains("|");
        if (any && names.contains("&")) throw new RuleSyntaxException("flowbits: mixes | and &");
        List<String> list = new ArrayList<>();
        for (String n : names.split("[|&]")) {
            if (n.isBlank() || n.trim().contains(",")) throw new RuleSyntaxException("flowbits: bad name in '" + names + "'");
            list.add(n.trim());
        }
        r.flowbits.add(new Rule.Flowbit(fo, List.copyOf(list), any));
    }

    /** Variables are resolved at parse time; the map here is what rules see. */
    public static Map<String, String> defaultVars() {
        Map<String, String> m = new HashMap<>();
        m.put("HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]");
        m.put("EXTERNAL_NET", "!$HOME_NET");
        for (String s : List.of("HTTP_SERVERS", "SMTP_SERVERS", "SQL_SERVERS", "DNS_SERVERS", "TELNET_SERVERS", "AIM_SERVERS",
                "DC_SERVERS", "DNP3_SERVER", "DNP3_CLIENT", "MODBUS_CLIENT", "MODBUS_SERVER", "ENIP_CLIENT", "ENIP_SERVER",
                "SIP_SERVERS", "SSH_SERVERS", "FTP_SERVERS", "SNMP_SERVERS")) {
            m.put(s, "$HOME_NET");
        }
        m.put("HTTP_PORTS", "[80,81,311,383,591,593,901,1220,1414,1741,1830,2301,2381,2809,3037,3128,3702,4343,4848,5250,6988,7000,7001,7144,7145,7510,7777,7779,8000,8008,8014,8028,8080,8085,8088,8090,8118,8123,8180,8181,8243,8280,8300,8800,8888,8899,9000,9060,9080,9090,9091,9443,9999,11371,34443,34444,41080,50002,55555]");
        m.put("SHELLCODE_PORTS", "!80");
        m.put("ORACLE_PORTS", "1521");
        m.put("SSH_PORTS", "22");
        m.put("DNP3_PORTS", "20000");
        m.put("MODBUS_PORTS", "502");
        m.put("FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]");
        m.put("FTP_PORTS", "21");
        m.put("GENEVE_PORTS", "6081");
        m.put("VXLAN_PORTS", "4789");
        m.put("TEREDO_PORTS", "3544");
        m.put("SIP_PORTS", "[5060,5061,5600]");
        return m;
    }
}
