package io.tandem.analyzer.rules.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * A minimal HTTP/1.x parser for one direction of a reassembled TCP stream: start line, headers, and a body
 * delimited by Content-Length, chunked encoding or (responses) the end of the connection; pipelined messages follow
 * each other. A message is handed on once complete, or once its stored body reaches the body limit (the rest is
 * consumed unseen). gzip and deflate bodies are decoded (up to the limit) as Suricata does for file_data. After a gap
 * the parser waits for data that starts a new message.
 */
public final class HttpParser {
    private enum State { START, HEADERS, LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER, CLOSE, DEAD }

    private final boolean requests;
    private final int headerLimit, bodyLimit;
    private final Consumer<HttpMessage> done;
    /** Request methods awaiting their response: a response to HEAD has no body. Shared by both parsers of a flow. */
    private final ArrayDeque<String> methods;

    private State state = State.START;
    private boolean everParsed;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private final StringBuilder line = new StringBuilder();
    private HttpMessage message;
    private long remaining;
    private long tail;
    private int lines;
    private boolean handedOn;
    public long messages, malformed;

    public HttpParser(boolean requests, int headerLimit, int bodyLimit, ArrayDeque<String> methods, Consumer<HttpMessage> done) {
        this.requests = requests;
        this.headerLimit = headerLimit;
        this.bodyLimit = bodyLimit;
        this.methods = methods;
        this.done = done;
    }

    public boolean dead() {
        return state == State.DEAD;
    }

    public boolean isHttp() {
        return everParsed;
    }

    public void data(byte[] b, int from, int to) {
        int i = from;
        while (i < to && state != State.DEAD) {
            switch (state) {
                case START -> {
                    if (!looksLikeStart(b, i, to)) {
                        // not HTTP (or not at a message boundary after a gap): give up on this direction's data
                        if (!everParsed) state = State.DEAD;
                        return;
                    }
                    head.reset();
                    tail = 0;
                    lines = 0;
                    raw.reset();
                    body.reset();
                    handedOn = false;
                    state = State.HEADERS;
                }
                case HEADERS -> i = headers(b, i, to);
                case LENGTH -> {
                    int n = (int) Math.min(remaining, to - i);
                    storeBody(b, i, n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) complete();
                }
                case CHUNK_SIZE, CHUNK_END, TRAILER -> i = chunkLine(b, i, to);
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, to - i);
                    storeBody(b, i, n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) state = State.CHUNK_END;
                }
                case CLOSE -> {
                    storeBody(b, i, to - i);
                    i = to;
                }
                default -> i = to;
            }
        }
    }

    /** Bytes were lost: a message in progress is handed on as far as it got, and parsing resumes at a new message. */
    public void gap() {
        if (state == State.LENGTH || state == State.CHUNK_DATA || state == State.CHUNK_SIZE || state == State.CHUNK_END
                || state == State.CLOSE) {
            complete();
        }
        if (state != State.DEAD) state = State.START;
    }

    /**
     * The sender closed its side: a body delimited by the close is complete, and so are headers cut short by it
     * (or an HTTP/0.9 request, which has none).
     */
    public void closed() {
        if (state == State.HEADERS && head.size() > 0) {
            headersDone(head.toByteArray());
            if (state != State.START) complete();
        }
        if (state == State.CLOSE || state == State.LENGTH || state == State.CHUNK_DATA) complete();
    }

    private boolean looksLikeStart(byte[] b, int i, int to) {
        if (!requests) return startsWith(b, i, to, "HTTP/");
        int n = 0;
        while (i + n < to && n < 20 && ((b[i + n] >= 'A' && b[i + n] <= 'Z') || b[i + n] == '-' || b[i + n] == '_')) n++;
        return n > 0 && (i + n == to || b[i + n] == ' ');
    }

    private static boolean startsWith(byte[] b, int i, int to, String s) {
        for (int k = 0; k < s.length(); k++) {
            if (i + k >= to) return true; // too short to tell: assume so, the header parse decides
            if (b[i + k] != s.charAt(k)) return false;
        }
        return true;
    }

    private int headers(byte[] b, int i, int to) {
        // bytes are copied into head and raw in one go, up to the blank line, the header limit or the end of data
        int start = i, room = headerLimit - head.size();
        for (; i < to; i++) {
            byte c = b[i];
            tail = tail << 8 | (c & 255);
            if (c == '\n') {
                lines++;
                boolean end = (tail & 0xffffffffL) == 0x0d0a0d0aL || (tail & 0xffff) == 0x0a0a;
                if (end) {
                    head.write(b, start, i + 1 - start);
                    raw.write(b, start, i + 1 - start);
                    headersDone(head.toByteArray());
                    tail = 0;
                    lines = 0;
                    return i + 1;
                }
            }
            if (i + 1 - start > room) {
                head.write(b, start, i + 1 - start);
                raw.write(b, start, i + 1 - start);
                malformed++;
                state = State.DEAD;
                return to;
            }
        }
        head.write(b, start, to - start);
        raw.write(b, start, to - start);
        return to;
    }

    private static int firstLineEnd(byte[] h) {
        for (int k = 0; k < h.length; k++) if (h[k] == '\n') return k + 1;
        return -1;
    }

    private void headersDone(byte[] h) {
        int eol = firstLineEnd(h);
        if (eol < 0) eol = h.length;
        int lineLen = eol == h.length && (h.length == 0 || h[h.length - 1] != '\n') ? eol : eol - (eol >= 2 && h[eol - 2] == '\r' ? 2 : 1);
        byte[] start = java.util.Arrays.copyOf(h, lineLen);
        byte[] rawHeaders = java.util.Arrays.copyOfRange(h, eol, h.length);
        List<String[]> hs = new ArrayList<>();
        for (String l : new String(rawHeaders, StandardCharsets.ISO_8859_1).split("\r?\n")) {
            if (l.isEmpty()) continue;
            if ((l.startsWith(" ") || l.startsWith("\t")) && !hs.isEmpty()) { // folded continuation line
                String[] last = hs.get(hs.size() - 1);
                last[1] = last[1] + " " + l.trim();
                continue;
            }
            int c = l.indexOf(':');
            if (c <= 0) continue;
            hs.add(new String[]{l.substring(0, c).trim(), l.substring(c + 1).trim()});
        }
        message = new HttpMessage(requests, start, rawHeaders, hs);
        everParsed = true;
        String startText = new String(start, StandardCharsets.ISO_8859_1);
        String te = message.header("Transfer-Encoding");
        String cl = message.header("Content-Length");
        boolean noBody;
        if (requests) {
            methods.addLast(startText.split(" ", 2)[0]);
            if (methods.size() > 64) methods.removeFirst();
            noBody = te == null && cl == null;
        } else {
            String[] p = startText.split(" ", 3);
            int status = p.length > 1 && p[1].matches("\\d{3}") ? Integer.parseInt(p[1]) : 200;
            String method = methods.pollFirst();
            noBody = (status >= 100 && status < 200) || status == 204 || status == 304 || "HEAD".equals(method);
        }
        if (noBody) {
            complete();
        } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            state = State.CHUNK_SIZE;
            line.setLength(0);
        } else if (cl != null) {
            try {
                remaining = Long.parseLong(cl.trim());
            } catch (NumberFormatException e) {
                remaining = -1;
            }
            if (remaining < 0) {
                malformed++;
                remaining = 0;
            }
            if (remaining == 0) complete();
            else state = State.LENGTH;
        } else {
            state = State.CLOSE;
        }
    }

    private int chunkLine(byte[] b, int i, int to) {
        for (; i < to; i++) {
            raw(b[i]);
            if (b[i] != '\n') {
                if (line.length() < 1024) line.append((char) (b[i] & 255));
                continue;
            }
            String l = line.toString().trim();
            line.setLength(0);
            switch (state) {
                case CHUNK_END -> state = State.CHUNK_SIZE;
                case TRAILER -> {
                    if (l.isEmpty()) {
                        complete();
                        return i + 1;
                    }
                }
                default -> {
                    int semi = l.indexOf(';');
                    String hex = semi >= 0 ? l.substring(0, semi).trim() : l;
                    try {
                        remaining = Long.parseLong(hex, 16);
                    } catch (NumberFormatException e) {
                        malformed++;
                        complete();
                        state = State.START;
                        return to;
                    }
                    state = remaining == 0 ? State.TRAILER : State.CHUNK_DATA;
                }
            }
            return i + 1;
        }
        return to;
    }

    private void raw(byte b) {
        if (raw.size() < headerLimit + bodyLimit) raw.write(b);
    }

    private void storeBody(byte[] b, int from, int n) {
        int room = bodyLimit - body.size();
        if (room > 0) body.write(b, from, Math.min(room, n));
        int rawRoom = headerLimit + bodyLimit - raw.size();
        if (rawRoom > 0) raw.write(b, from, Math.min(rawRoom, n));
        if (body.size() >= bodyLimit && !handedOn) handOn(); // inspect what the limit allows; the rest goes by unseen
    }

    private void complete() {
        if (!handedOn) handOn();
        message = null;
        if (state != State.DEAD) state = State.START;
    }

    private void handOn() {
        if (message == null) return;
        handedOn = true;
        messages++;
        byte[] bodyBytes = body.toByteArray();
        String enc = message.header("Content-Encoding");
        if (enc != null && bodyBytes.length > 0) bodyBytes = decode(enc.trim().toLowerCase(Locale.ROOT), bodyBytes);
        message.body = bodyBytes;
        message.raw = raw.toByteArray();
        done.accept(message);
    }

    private byte[] decode(String enc, byte[] b) {
        if (!enc.equals("gzip") && !enc.equals("x-gzip") && !enc.equals("deflate")) return b;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = enc.equals("deflate") ? new InflaterInputStream(new java.io.ByteArrayInputStream(b))
                : new GZIPInputStream(new java.io.ByteArrayInputStream(b))) {
            byte[] chunk = new byte[8192];
            int n;
            while (out.size() < bodyLimit && (n = in.read(chunk)) > 0) out.write(chunk, 0, Math.min(n, bodyLimit - out.size()));
        } catch (IOException e) {
            // a truncated body (limit, gap) still yields what decoded so far; undecodable bytes stay as sent
            if (out.size() == 0) return b;
        }
        return out.toByteArray();
    }
}
