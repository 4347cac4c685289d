package io.tandem.analyzer.rules.internal;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Matches the options of one buffer in rule order. Relative options (distance/within, pcre R, isdataat relative,
 * byte_* relative) start from the cursor the previous option left; when a later option fails, an earlier content is
 * tried at its next occurrence (as Snort and Suricata do), within a step budget so a hostile payload cannot make one
 * rule take unbounded time. Positions are buffer indexes; {@code origin} is the stream offset of index 0 so that
 * absolute offsets of a stream rule count from the start of the stream.
 */
public final class Matcher {
    static final int STEP_BUDGET = 4096;
    static final long PCRE_BUDGET = 2_000_000;

    private static final byte[] LOWER = new byte[256];

    static {
        for (int i = 0; i < 256; i++) LOWER[i] = (byte) (i >= 'A' && i <= 'Z' ? i + 32 : i);
    }

    private byte[] buf;
    private int len;
    private long origin;
    private int minEnd;
    private int steps;
    /** Counted for the session's statistics: options that hit the step or pcre budget. */
    public long budgetExceeded;

    /**
     * @param minEnd only a match whose furthest matched byte ends after this index counts (-1: any); a stream rule
     *               passes the index where this packet's new bytes start, so a match lying wholly in bytes an
     *               earlier packet supplied is not raised again
     */
    public boolean matches(List<MatchOp> ops, byte[] buf, int len, long origin, int minEnd) {
        this.buf = buf;
        this.len = len;
        this.origin = origin;
        this.minEnd = minEnd;
        this.steps = 0;
        return match(ops, 0, 0, -1);
    }

    private boolean match(List<MatchOp> ops, int i, int cursor, int maxEnd) {
        if (i == ops.size()) return maxEnd >= minEnd || minEnd < 0;
        if (++steps > STEP_BUDGET) {
            if (steps == STEP_BUDGET + 1) budgetExceeded++;
            return false;
        }
        MatchOp op = ops.get(i);
        if (op instanceof MatchOp.Content c) return content(ops, i, c, cursor, maxEnd);
        if (op instanceof MatchOp.Pcre p) return pcre(ops, i, p, cursor, maxEnd);
        if (op instanceof MatchOp.IsDataAt d) {
            int at = d.relative() ? cursor + d.offset() : (int) (d.offset() - origin);
            boolean there = at < len && at >= 0;
            return there != d.negated() && match(ops, i + 1, cursor, maxEnd);
        }
        if (op instanceof MatchOp.Size s) return s.range().test(len) && match(ops, i + 1, cursor, maxEnd);
        if (op instanceof MatchOp.ByteTest t) {
            int at = t.relative() ? cursor + t.offset() : (int) (t.offset() - origin);
            long v = extract(at, t.bytes(), t.little(), t.base());
            if (v < 0) return false;
            if (t.bitmask() != 0) {
                v &= t.bitmask();
                v >>>= Long.numberOfTrailingZeros(t.bitmask());
            }
            boolean r = switch (t.op()) {
                case "<" -> v < t.value();
                case ">" -> v > t.value();
                case "<=" -> v <= t.value();
                case ">=" -> v >= t.value();
                case "&" -> (v & t.value()) != 0;
                case "^" -> (v ^ t.value()) != 0;
                default -> v == t.value();
            };
            return r != t.negated() && match(ops, i + 1, cursor, maxEnd);
        }
        MatchOp.ByteJump j = (MatchOp.ByteJump) op;
        int at = j.relative() ? cursor + j.offset() : (int) (j.offset() - origin);
        long v = extract(at, j.bytes(), j.little(), j.base());
        if (v < 0) return false;
        if (j.bitmask() != 0) {
            v &= j.bitmask();
            v >>>= Long.numberOfTrailingZeros(j.bitmask());
        }
        long jump = v * j.multiplier();
        if (j.align() && (jump & 3) != 0) jump += 4 - (jump & 3);
        long to = j.fromBeginning() ? jump : j.fromEnd() ? len + jump : at + j.bytes() + jump;
        to += j.postOffset();
        if (to < 0 || to > len) return false;
        return match(ops, i + 1, (int) to, maxEnd);
    }

    /** @return the value, or -1 when the bytes are not there or are not a number in that base */
    private long extract(int at, int n, boolean little, int base) {
        if (at < 0 || n <= 0 || at + n > len) return -1;
        long v = 0;
        if (base == 0) {
            for (int k = 0; k < n; k++) {
                int b = buf[little ? at + n - 1 - k : at + k] & 255;
                v = v << 8 | b;
            }
            return v;
        }
        boolean any = false;
        for (int k = 0; k < n; k++) {
            int d = Character.digit(buf[at + k] & 255, base);
            if (d < 0) break; // Snort reads digits up to the first non-digit
            v = v * base + d;
            any = true;
        }
        return any ? v : -1;
    }

    private boolean content(List<MatchOp> ops, int i, MatchOp.Content c, int cursor, int maxEnd) {
        byte[] p = c.pattern;
        int plen = p.length;
        int start = 0;
        long limit = len; // exclusive end of where the pattern may lie
        if (c.offset != MatchOp.Content.UNSET) start = (int) Math.max(Integer.MIN_VALUE, c.offset - origin);
        if (c.depth != MatchOp.Content.UNSET) {
            long off = c.offset == MatchOp.Content.UNSET ? 0 : c.offset;
            limit = Math.min(limit, off - origin + c.depth);
        }
        if (c.relative()) {
            int d = c.distance == MatchOp.Content.UNSET ? 0 : c.distance;
            start = Math.max(start, cursor + d);
            if (c.within != MatchOp.Content.UNSET) limit = Math.min(limit, (long) cursor + d + c.within);
        }
        if (c.startsWith) limit = Math.min(limit, (long) start + plen);
        if (start < 0) start = 0;
        int last = (int) Math.min(limit, len) - plen; // last index the pattern may start at
        if (c.endsWith) { // the only place left is the very end
            int at = len - plen;
            if (at >= start && at <= last) start = last = at;
            else last = -1;
        }
        if (c.negated) {
            for (int at = start; at <= last; at++) {
                if (equalsAt(p, c.nocase, at)) return false;
            }
            return match(ops, i + 1, cursor, maxEnd);
        }
        for (int at = start; at <= last; at++) {
            if (equalsAt(p, c.nocase, at)) {
                if (match(ops, i + 1, at + plen, Math.max(maxEnd, at + plen))) return true;
                if (steps > STEP_BUDGET) return false;
            }
        }
        return false;
    }

    private boolean equalsAt(byte[] p, boolean nocase, int at) {
        if (nocase) {
            for (int k = 0; k < p.length; k++) if (LOWER[buf[at + k] & 255] != p[k]) return false;
        } else {
            for (int k = 0; k < p.length; k++) if (buf[at + k] != p[k]) return false;
        }
        return true;
    }

    private boolean pcre(List<MatchOp> ops, int i, MatchOp.Pcre p, int cursor, int maxEnd) {
        int from = p.relative() ? Math.min(cursor, len) : 0;
        BudgetedChars chars = new BudgetedChars(buf, len, PCRE_BUDGET);
        java.util.regex.Matcher m = p.pattern().matcher(chars);
        m.region(from, len);
        m.useTransparentBounds(true);
        m.useAnchoringBounds(p.anchored());
        boolean found;
        try {
            found = p.anchored() ? m.lookingAt() : m.find();
        } catch (BudgetedChars.Exhausted e) {
            budgetExceeded++;
            return false;
        }
        if (p.negated()) return !found && match(ops, i + 1, cursor, maxEnd);
        if (!found) return false;
        return match(ops, i + 1, m.end(), Math.max(maxEnd, m.end()));
    }

    static Pattern compile(String regex, int flags) {
        return Pattern.compile(regex, flags);
    }

    /** Bytes as ISO-8859-1 characters (one char per byte) that stop a runaway regex after a fixed number of reads. */
    static final class BudgetedChars implements CharSequence {
        static final class Exhausted extends RuntimeException {
            Exhausted() {
                super(null, null, false, false);
            }
        }

        private final byte[] b;
        private final int offset, length;
        private long budget;

        BudgetedChars(byte[] b, int length, long budget) {
            this(b, 0, length, budget);
        }

        private BudgetedChars(byte[] b, int offset, int length, long budget) {
            this.b = b;
            this.offset = offset;
            this.length = length;
            this.budget = budget;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            if (--budget < 0) throw new Exhausted();
            return (char) (b[offset + index] & 255);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new BudgetedChars(b, offset + start, end - start, budget);
        }

        @Override
        public String toString() {
            return new String(b, offset, length, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    public static byte lower(byte b) {
        return LOWER[b & 255];
    }
}
