package io.tandem.analyzer.rules.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Multi-pattern prefilter: one pass over a buffer reports every pattern occurring in it, case-insensitively
 * (patterns are lower-cased; candidates are verified by the full {@link Matcher} afterwards). States are numbered
 * breadth first, and the upper levels of the automaton (the root and the states up to {@link #DENSE_DEPTH} bytes
 * deep, at most {@link #DENSE_MAX_ROWS} of them: states 0 to denseStates - 1) are a full DFA: one row of 256 next
 * states per state, indexed by the raw byte, failure transitions and lower-casing folded in, the sign bit marking a
 * next state that reports patterns — that is where ordinary traffic spends nearly all its bytes. Deeper states keep
 * sorted sparse children and failure links, so thousands of patterns stay within a few megabytes.
 */
public final class AhoCorasick {
    public interface Hit {
        /** @param end index just past the pattern's last byte in the scanned buffer */
        void hit(int patternId, int end);
    }

    static final int DENSE_DEPTH = 2;
    static final int DENSE_MAX_ROWS = 1024;
    private static final int REPORTS = Integer.MIN_VALUE;

    private final int[] childStart, childCount;
    private final byte[] childKeys;
    private final int[] childTargets;
    private final int[] fail;
    private final int[] dictLink;
    private final int[][] outputs;
    /** Per state: 1 when it reports a pattern (its own or through its dictionary links). */
    private final byte[] reports;
    private final int denseStates;
    /** Row s (s < denseStates) at s * 256: next state per raw byte, with {@link #REPORTS} set when it reports. */
    private final int[] dense;
    private final int maxLength;

    public AhoCorasick(List<byte[]> patterns) {
        List<Map<Byte, Integer>> trie = new ArrayList<>();
        List<List<Integer>> out = new ArrayList<>();
        trie.add(new HashMap<>());
        out.add(new ArrayList<>());
        int max = 0;
        for (int id = 0; id < patterns.size(); id++) {
            byte[] p = patterns.get(id);
            max = Math.max(max, p.length);
            int s = 0;
            for (byte b : p) {
                Integer next = trie.get(s).get(b);
                if (next == null) {
                    next = trie.size();
                    trie.add(new HashMap<>());
                    out.add(new ArrayList<>());
                    trie.get(s).put(b, next);
                }
                s = next;
            }
            out.get(s).add(id);
        }
        maxLength = max;
        int n = trie.size();
        // breadth-first numbering (children in byte order): parents before children, shallow states first
        int[] order = new int[n]; // new id -> trie node
        int[] newId = new int[n];
        int[] depth = new int[n];
        int[][] sortedKeys = new int[n][];
        int head = 0, tail = 0;
        order[tail++] = 0;
        while (head < tail) {
            int node = order[head++];
            int[] keys = trie.get(node).keySet().stream().mapToInt(b -> b & 255).sorted().toArray();
            sortedKeys[node] = keys;
            for (int k : keys) {
                int child = trie.get(node).get((byte) k);
                depth[tail] = depth[head - 1] + 1;
                newId[child] = tail;
                order[tail++] = child;
            }
        }
        childStart = new int[n];
        childCount = new int[n];
        int total = 0;
        for (Map<Byte, Integer> m : trie) total += m.size();
        childKeys = new byte[total];
        childTargets = new int[total];
        outputs = new int[n][];
        int at = 0;
        for (int s = 0; s < n; s++) {
            int node = order[s];
            Map<Byte, Integer> m = trie.get(node);
            childStart[s] = at;
            childCount[s] = m.size();
            for (int k : sortedKeys[node]) {
                childKeys[at] = (byte) k;
                childTargets[at] = newId[m.get((byte) k)];
                at++;
            }
            outputs[s] = out.get(node).stream().mapToInt(Integer::intValue).toArray();
        }
        fail = new int[n];
        dictLink = new int[n];
        Arrays.fill(dictLink, -1);
        // in breadth-first order every state's failure target is numbered (and done) before the state itself
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < childCount[s]; i++) {
                int b = childKeys[childStart[s] + i] & 255;
                int t = childTargets[childStart[s] + i];
                if (s == 0) {
                    fail[t] = 0;
                } else {
                    int f = fail[s];
                    int next;
                    while (true) {
                        next = child(f, b);
                        if (next >= 0 || f == 0) break;
                        f = fail[f];
                    }
                    fail[t] = Math.max(next, 0);
                }
                int fs = fail[t];
                dictLink[t] = outputs[fs].length > 0 ? fs : dictLink[fs];
            }
        }
        reports = new byte[n];
        for (int s = 1; s < n; s++) reports[s] = (byte) (outputs[s].length > 0 || dictLink[s] > 0 ? 1 : 0);
        int d = 0;
        while (d < n && d < DENSE_MAX_ROWS && depth[d] <= DENSE_DEPTH) d++;
        denseStates = d;
        dense = new int[d << 8];
        for (int s = 0; s < d; s++) {
            for (int raw = 0; raw < 256; raw++) {
                int t = delta(s, Matcher.lower((byte) raw) & 255);
                dense[s << 8 | raw] = reports[t] != 0 ? t | REPORTS : t;
            }
        }
    }

    /** The automaton's move from state s on (lower-cased) byte b, following failure links. */
    private int delta(int s, int b) {
        while (true) {
            int next = child(s, b);
            if (next >= 0) return next;
            if (s == 0) return 0;
            s = fail[s];
        }
    }

    public int maxPatternLength() {
        return maxLength;
    }

    private int child(int s, int b) {
        int lo = childStart[s], hi = lo + childCount[s] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int k = childKeys[mid] & 255;
            if (k < b) lo = mid + 1;
            else if (k > b) hi = mid - 1;
            else return childTargets[mid];
        }
        return -1;
    }

    /** Move from a sparse state on a raw byte; the result is flagged with {@link #REPORTS} like a dense entry. */
    private int sparseStep(int s, byte raw) {
        int b = Matcher.lower(raw) & 255;
        while (true) {
            int next = child(s, b);
            if (next >= 0) return reports[next] != 0 ? next | REPORTS : next;
            s = fail[s];
            if (s < denseStates) return dense[s << 8 | (raw & 255)];
        }
    }

    /** Scans buf[from, to) and reports each occurrence. */
    public void scan(byte[] buf, int from, int to, Hit hit) {
        scan(buf, from, to, 0, hit);
    }

    /**
     * Scans buf[from, to) starting in {@code state} (0: the start; else what an earlier scan returned, to go on
     * over bytes that follow the ones it scanned, as if in one pass) and reports each occurrence ending in it.
     *
     * @return the state after the last byte
     */
    public int scan(byte[] buf, int from, int to, int state, Hit hit) {
        final int[] dense = this.dense;
        final int d = denseStates;
        int s = state;
        for (int i = from; i < to; i++) {
            int t = s < d ? dense[s << 8 | (buf[i] & 255)] : sparseStep(s, buf[i]);
            s = t & ~REPORTS;
            if (t < 0) report(s, i + 1, hit);
        }
        return s;
    }

    private void report(int s, int end, Hit hit) {
        for (int o : outputs[s]) hit.hit(o, end);
        for (int d = dictLink[s]; d > 0; d = dictLink[d]) {
            for (int o : outputs[d]) hit.hit(o, end);
        }
    }
}
