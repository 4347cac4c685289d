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
        if (++generation == 0) {
            java.util.Arrays.fill(memoGen, 0);
            java.util.Arrays.fill(occGen, 0);
            generation = 1;
        }
        if (!requiredContentsPresent(ops)) return false;
        return match(ops, 0, 0, -1);
    }

    /**
     * Options are all required: a rule with two or more contents or regexes cannot match when one of its (not
     * negated) contents occurs nowhere in the buffer. One plain search per content before the full match, whose
     * backtracking over relative options can cost up to {@link #STEP_BUDGET} searches and regexes.
     */
    private boolean requiredContentsPresent(List<MatchOp> ops) {
        int n = ops.size();
        if (n < 2) return true;
        int heavy = 0;
        for (int i = 0; i < n; i++) {
            MatchOp op = ops.get(i);
            if (op instanceof MatchOp.Content || op instanceof MatchOp.Pcre) heavy++;
        }
        if (heavy < 2) return true;
        // last first: later contents are the ones a rule's fast pattern (found by the prefilter) is least often
        for (int i = n - 1; i >= 0; i--) {
            if (ops.get(i) instanceof MatchOp.Content c && !c.negated && indexOf(c.pattern, c.nocase, 0, len - c.pattern.length) < 0) return false;
        }
        return true;
    }

    /** First index in [from, last] where p occurs, or -1. */
    private int indexOf(byte[] p, boolean nocase, int from, int last) {
        int plen = p.length;
        if (plen == 0) return from <= last ? from : -1;
        byte[] b = buf;
        byte first = p[0];
        if (nocase) {
            byte[] lo = LOWER;
            for (int at = from; at <= last; at++) {
                if (lo[b[at] & 255] != first) continue;
                int k = 1;
                while (k < plen && lo[b[at + k] & 255] == p[k]) k++;
                if (k == plen) return at;
            }
        } else {
            for (int at = from; at <= last; at++) {
                if (b[at] != first) continue;
                int k = 1;
                while (k < plen && b[at + k] == p[k]) k++;
                if (k == plen) return at;
            }
        }
        return -1;
    }

    // Memo of failed sub-matches within one matches() call. What match(ops, i, cursor, maxEnd) does depends only on
    // i, cursor and whether maxEnd already reaches minEnd (maxEnd only grows, and is only compared with minEnd at the
    // end), so a sub-match that failed once fails again the same way: a repeat costs its recorded steps (and budget
    // exhaustions) at once instead of being searched again. Backtracking over relative contents tries the same
    // later positions from every earlier occurrence; with the memo that is linear, and results stay exactly those of
    // the plain search, step budget included (at most STEP_BUDGET entries per call).
    private static final int MEMO_SLOTS = 2 * STEP_BUDGET;
    private final long[] memoKey = new long[MEMO_SLOTS];
    private final int[] memoGen = new int[MEMO_SLOTS];
    private final int[] memoSteps = new int[MEMO_SLOTS];
    private final int[] memoExceeded = new int[MEMO_SLOTS];
    private int generation;

    private boolean match(List<MatchOp> ops, int i, int cursor, int maxEnd) {
        if (i == ops.size()) return maxEnd >= minEnd || minEnd < 0;
        long key = ((long) i << 33) | ((long) cursor << 1) | (minEnd < 0 || maxEnd >= minEnd ? 1 : 0);
        int slot = (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & (MEMO_SLOTS - 1);
        while (memoGen[slot] == generation) {
            if (memoKey[slot] == key) {
                steps += memoSteps[slot];
                if (steps > STEP_BUDGET) { // the repeat would have run out of steps part way
                    steps = STEP_BUDGET + 1;
                    budgetExceeded++;
                } else {
                    budgetExceeded += memoExceeded[slot];
                }
                return false;
            }
            slot = (slot + 1) & (MEMO_SLOTS - 1);
        }
        int before = steps;
        long exceededBefore = budgetExceeded;
        boolean r = explore(ops, i, cursor, maxEnd);
        if (!r && steps <= STEP_BUDGET) {
            // probe again: the slot found above may have been taken by a deeper sub-match meanwhile
            slot = (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & (MEMO_SLOTS - 1);
            while (memoGen[slot] == generation) slot = (slot + 1) & (MEMO_SLOTS - 1);
            memoGen[slot] = generation;
            memoKey[slot] = key;
            memoSteps[slot] = steps - before;
            memoExceeded[slot] = (int) (budgetExceeded - exceededBefore);
        }
        return r;
    }

    private boolean explore(List<MatchOp> ops, int i, int cursor, int maxEnd) {
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
        if (start > last) return c.negated ? match(ops, i + 1, cursor, maxEnd) : false;
        if (occGen.length <= i) growOccurrences(ops.size());
        if (occGen[i] != generation) { // first visit of this option in this call: search directly
            occGen[i] = generation;
            occCount[i] = -1;
        } else if (occCount[i] < 0) { // visited again (backtracking): list its occurrences once, then step through
            listOccurrences(i, p, c.nocase);
        }
        if (occCount[i] < 0) {
            if (c.negated) {
                if (indexOf(p, c.nocase, start, last) >= 0) return false;
                return match(ops, i + 1, cursor, maxEnd);
            }
            for (int at = indexOf(p, c.nocase, start, last); at >= 0; at = at < last ? indexOf(p, c.nocase, at + 1, last) : -1) {
                if (match(ops, i + 1, at + plen, Math.max(maxEnd, at + plen))) return true;
                if (steps > STEP_BUDGET) return false;
            }
            return false;
        }
        int[] list = occ[i];
        int n = occCount[i];
        int k = firstAtLeast(list, n, start);
        if (c.negated) {
            if (k < n && list[k] <= last) return false;
            return match(ops, i + 1, cursor, maxEnd);
        }
        for (; k < n && list[k] <= last; k++) {
            int at = list[k];
            if (match(ops, i + 1, at + plen, Math.max(maxEnd, at + plen))) return true;
            if (steps > STEP_BUDGET) return false;
        }
        return false;
    }

    // Per option index, within one matches() call: where its content occurs in the buffer (all of it), listed the
    // second time the option is visited, so backtracking steps through occurrences instead of searching again.
    private int[] occGen = new int[0], occCount = new int[0];
    private int[][] occ = new int[0][];

    private void growOccurrences(int n) {
        occGen = java.util.Arrays.copyOf(occGen, n);
        occCount = java.util.Arrays.copyOf(occCount, n);
        occ = java.util.Arrays.copyOf(occ, n);
    }

    private void listOccurrences(int i, byte[] p, boolean nocase) {
        int[] list = occ[i];
        if (list == null) list = occ[i] = new int[16];
        int n = 0, last = len - p.length;
        for (int at = indexOf(p, nocase, 0, last); at >= 0; at = at < last ? indexOf(p, nocase, at + 1, last) : -1) {
            if (n == list.length) list = occ[i] = java.util.Arrays.copyOf(list, n * 2);
            list[n++] = at;
        }
        occCount[i] = n;
    }

    private static int firstAtLeast(int[] a, int n, int v) {
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) lo = mid + 1;
            else hi = mid;
        }
        return lo;
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
