package io.tandem.analyzer.rules.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One parsed HTTP request or response and the rule buffers cut from it (built when a rule first asks). */
public final class HttpMessage {
    public final boolean request;
    /** Request line or status line, without its line end. */
    public final byte[] startLine;
    /** Header block as sent: from after the start line's line end to the end of the blank line. */
    public final byte[] rawHeaders;
    public final List<String[]> headers;
    public byte[] body = new byte[0];
    /** Everything of the message as received (start line, headers, body as transferred). */
    public byte[] raw;
    private final Map<Buf, byte[]> cache = new EnumMap<>(Buf.class);

    HttpMessage(boolean request, byte[] startLine, byte[] rawHeaders, List<String[]> headers) {
        this.request = request;
        this.startLine = startLine;
        this.rawHeaders = rawHeaders;
        this.headers = headers;
    }

    public String header(String name) {
        for (String[] h : headers) if (h[0].equalsIgnoreCase(name)) return h[1];
        return null;
    }

    private String[] startParts() {
        String line = new String(startLine, StandardCharsets.ISO_8859_1);
        String[] p = line.split(" ", 3);
        return p.length == 3 ? p : java.util.Arrays.copyOf(p, 3);
    }

    /** The buffer for a rule option, or null when this message has none (that option then cannot match). */
    public byte[] buffer(Buf b) {
        byte[] v = cache.get(b);
        if (v == null && !cache.containsKey(b)) {
            v = build(b);
            cache.put(b, v);
        }
        return v;
    }

    private byte[] build(Buf b) {
        String[] sp = startParts();
        return switch (b) {
            case PAYLOAD -> raw;
            case HTTP_METHOD -> request ? bytes(sp[0]) : null;
            case HTTP_RAW_URI -> request && sp[1] != null ? bytes(sp[1]) : null;
            case HTTP_URI -> request && sp[1] != null ? normalizeUri(sp[1]) : null;
            case HTTP_PROTOCOL -> request ? (sp[2] == null ? null : bytes(sp[2])) : bytes(sp[0]);
            case HTTP_REQUEST_LINE -> request ? startLine : null;
            case HTTP_RESPONSE_LINE -> request ? null : startLine;
            case HTTP_STAT_CODE -> request ? null : bytes(sp[1]);
            case HTTP_STAT_MSG -> request || sp[2] == null ? null : bytes(sp[2]);
            case HTTP_CLIENT_BODY -> request && body.length > 0 ? body : null;
            case HTTP_RESPONSE_BODY -> !request && body.length > 0 ? body : null;
            case FILE_DATA -> body.length > 0 ? body : null;
            case HTTP_HEADER -> {
                if (headers.isEmpty()) yield null;
                StringBuilder sb = new StringBuilder();
                for (String[] h : headers) sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
                yield bytes(sb.append("\r\n").toString());
            }
            case HTTP_RAW_HEADER -> rawHeaders.length == 0 ? null : rawHeaders;
            case HTTP_HEADER_NAMES -> {
                if (headers.isEmpty()) yield null;
                StringBuilder sb = new StringBuilder("\r\n");
                for (String[] h : headers) sb.append(h[0]).append("\r\n");
                yield bytes(sb.append("\r\n").toString());
            }
            case HTTP_START -> {
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                o.writeBytes(startLine);
                o.writeBytes(new byte[]{'\r', '\n'});
                o.writeBytes(rawHeaders);
                yield o.toByteArray();
            }
            case HTTP_HOST -> {
                String h = header("Host");
                if (h == null) yield null;
                h = h.trim().toLowerCase(Locale.ROOT);
                if (!h.startsWith("[")) {
                    int colon = h.lastIndexOf(':');
                    if (colon >= 0 && h.indexOf(':') == colon) h = h.substring(0, colon); // port is not part of the host
                }
                yield bytes(h);
            }
            case HTTP_RAW_HOST -> headerBytes("Host");
            case HTTP_USER_AGENT -> headerBytes("User-Agent");
            case HTTP_REFERER -> headerBytes("Referer");
            case HTTP_COOKIE -> headerBytes(request ? "Cookie" : "Set-Cookie");
            case HTTP_ACCEPT -> headerBytes("Accept");
            case HTTP_ACCEPT_ENC -> headerBytes("Accept-Encoding");
            case HTTP_ACCEPT_LANG -> headerBytes("Accept-Language");
            case HTTP_CONTENT_TYPE -> headerBytes("Content-Type");
            case HTTP_CONTENT_LEN -> headerBytes("Content-Length");
            case HTTP_CONNECTION -> headerBytes("Connection");
            case HTTP_SERVER -> headerBytes("Server");
            case HTTP_LOCATION -> headerBytes("Location");
            default -> null;
        };
    }

    private byte[] headerBytes(String name) {
        String v = header(name);
        return v == null ? null : bytes(v);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Percent-decodes the URI and removes "." and ".." path segments, as libhtp and Snort's http_inspect do. */
    static byte[] normalizeUri(String uri) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(uri.length());
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '%' && i + 2 < uri.length() && Character.digit(uri.charAt(i + 1), 16) >= 0 && Character.digit(uri.charAt(i + 2), 16) >= 0) {
                o.write(Integer.parseInt(uri.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                o.write(c & 0xff);
            }
        }
        String d = o.toString(StandardCharsets.ISO_8859_1);
        int q = d.indexOf('?');
        String path = q < 0 ? d : d.substring(0, q);
        if (path.contains("/.")) {
            List<String> out = new ArrayList<>();
            String[] segs = path.split("/", -1);
            for (int i = 0; i < segs.length; i++) {
                String s = segs[i];
                if (s.equals(".") && i > 0) continue;
                if (s.equals("..") && i > 0) {
                    if (out.size() > 1) out.remove(out.size() - 1);
                    continue;
                }
                out.add(s);
            }
            String last = segs[segs.length - 1];
            path = String.join("/", out) + ((last.equals(".") || last.equals("..")) ? "/" : "");
            d = q < 0 ? path : path + d.substring(q);
        }
        return bytes(d);
    }
}
