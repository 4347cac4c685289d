package io.tandem.analyzer.pipe.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON parser (RFC 8259) for EVE lines: objects become {@code Map<String, Object>}, arrays
 * {@code List<Object>}, numbers {@code Long} when integral and in range else {@code Double}, strings, booleans and
 * {@link #NULL}. Written here because one EVE line needs no more, and a JSON library would be one more bundle to
 * deploy and keep in step for ~200 lines of code.
 */
public final class Json {
    /** JSON null (a map cannot hold Java null as a value that means "present"). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    private static final int MAX_DEPTH = 64;

    private final String s;
    private int at;

    private Json(String s) {
        this.s = s;
    }

    /** @throws IllegalArgumentException saying where the text is not JSON */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.space();
        Object v = p.value(0);
        p.space();
        if (p.at != text.length()) throw p.error("trailing characters");
        return v;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
        if (at >= s.length()) throw error("unexpected end");
        char c = s.charAt(at);
        switch (c) {
            case '{': return object(depth);
            case '[': return array(depth);
            case '"': return string();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("unexpected '" + c + "'");
        }
    }

    private Map<String, Object> object(int depth) {
        at++;
        Map<String, Object> m = new LinkedHashMap<>();
        space();
        if (peek() == '}') {
            at++;
            return m;
        }
        while (true) {
            space();
            if (peek() != '"') throw error("expected a member name");
            String k = string();
            space();
            expect(':');
            space();
            m.put(k, value(depth + 1));
            space();
            char c = next();
            if (c == '}') return m;
            if (c != ',') throw error("expected ',' or '}'", at - 1);
        }
    }

    private List<Object> array(int depth) {
        at++;
        List<Object> l = new ArrayList<>();
        space();
        if (peek() == ']') {
            at++;
            return l;
        }
        while (true) {
            space();
            l.add(value(depth + 1));
            space();
            char c = next();
            if (c == ']') return l;
            if (c != ',') throw error("expected ',' or ']'", at - 1);
        }
    }

    private String string() {
        at++;
        StringBuilder b = null;
        int start = at;
        while (true) {
            if (at >= s.length()) throw error("unclosed string");
            char c = s.charAt(at);
            if (c == '"') {
                String r = b == null ? s.substring(start, at) : b.append(s, start, at).toString();
                at++;
                return r;
            }
            if (c < 0x20) throw error("control character in string");
            if (c == '\\') {
                if (b == null) b = new StringBuilder();
                b.append(s, start, at);
                at++;
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (at + 4 > s.length()) throw error("short \\u escape");
                        try {
                            b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        at += 4;
                    }
                    default -> throw error("bad escape '\\" + e + "'", at - 1);
                }
                start = at;
            } else {
                at++;
            }
        }
    }

    private Object number() {
        int start = at;
        if (peek() == '-') at++;
        if (peek() == '0') {
            at++;
        } else if (!digits()) {
            throw error("bad number");
        }
        boolean integral = true;
        if (peek() == '.') {
            at++;
            integral = false;
            if (!digits()) throw error("bad fraction");
        }
        if (peek() == 'e' || peek() == 'E') {
            at++;
            integral = false;
            if (peek() == '+' || peek() == '-') at++;
            if (!digits()) throw error("bad exponent");
        }
        String t = s.substring(start, at);
        if (integral && t.length() <= 18) return Long.parseLong(t);
        if (integral) {
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException tooBig) {
                // falls through to double, like most JSON readers
            }
        }
        return Double.parseDouble(t);
    }

    private boolean digits() {
        int start = at;
        while (at < s.length() && s.charAt(at) >= '0' && s.charAt(at) <= '9') at++;
        return at > start;
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, at)) throw error("unexpected word");
        at += word.length();
        return v;
    }

    private void space() {
        while (at < s.length()) {
            char c = s.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            at++;
        }
    }

    private char peek() {
        return at < s.length() ? s.charAt(at) : '\0';
    }

    private char next() {
        if (at >= s.length()) throw error("unexpected end");
        return s.charAt(at++);
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "'");
        at++;
    }

    private IllegalArgumentException error(String what) {
        return error(what, at);
    }

    private IllegalArgumentException error(String what, int where) {
        return new IllegalArgumentException("not JSON at character " + where + ": " + what);
    }
}
