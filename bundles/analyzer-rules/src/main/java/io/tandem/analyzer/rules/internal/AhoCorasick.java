package io.tandem.analyzer.rules.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Multi-pattern prefilter: one pass over a buffer reports every pattern occurring in it, case-insensitively
 * (patterns are lower-cased; candidates are verified by the full {@link Matcher} afterwards). The upper levels of the
 * automaton (the root and the states up to {@link #DENSE_DEPTH} bytes deep, at most {@link #DENSE_MAX_ROWS} of them)
 * are a full DFA: one row of 256 next states per state, indexed by the raw byte, failure transitions and lower-casing
 * folded in — that is where ordinary traffic spends nearly all its bytes. Deeper states keep sorted sparse children
 * and failure links, so thousands of patterns stay within a few megabytes.
 */
public final class AhoCorasick {
    public interface Hit {
        /** @param end index just past the pattern's last byte in the scanned buffer */
        void hit(int patternId, int end);
    }

    static final int DENSE_DEPTH = 2;
    static final int DENSE_MAX_ROWS = 1024;

    private final int[] rootNext = new int[256];
    /** Per state: offset of its row in {@link #dense}, or -1 for a sparse state. */
    private final int[] denseRow;
    /** Rows of 256 next states, indexed by the raw (not lower-cased) byte. */
    private final int[] dense;
    /** Per state: 1 when it reports a pattern (its own or through its dictionary links). */
    private final byte[] reports;
    private final int[] childStart, childCount;
    private final byte[] childKeys;
    private final int[] childTargets;
    private final int[] fail;
    private final int[] dictLink;
    private final int[][] outputs;
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
        childStart = new int[n];
        childCount = new int[n];
        int total = 0;
        for (Map<Byte, Integer> m : trie) total += m.size();
        childKeys = new byte[total];
        childTargets = new int[total];
        int at = 0;
        for (int s = 0; s < n; s++) {
            Map<Byte, Integer> m = trie.get(s);
            childStart[s] = at;
            childCount[s] = m.size();
            int[] keys = m.keySet().stream().mapToInt(b -> b & 255).sorted().toArray();
            for (int k : keys) {
                childKeys[at] = (byte) k;
                childTargets[at] = m.get((byte) k);
                at++;
            }
        }
        outputs = new int[n][];
        for (int s = 0; s < n; s++) outputs[s] = out.get(s).stream().mapToInt(Integer::intValue).toArray();
        fail = new int[n];
        dictLink = new int[n];
        Arrays.fill(dictLink, -1);
        Arrays.fill(rootNext, 0);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int i = 0; i < childCount[0]; i++) {
            int t = childTargets[childStart[0] + i];
            rootNext[childKeys[childStart[0] + i] & 255] = t;
            fail[t] = 0;
            queue.add(t);
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            for (int i = 0; i < childCount[s]; i++) {
                int b = childKeys[childStart[s] + i] & 255;
                int t = childTargets[childStart[s] + i];
                int f = fail[s];
                int next;
                while (true) {
                    next = f == 0 ? rootNext[b] : child(f, b);
                    if (next >= 0 || f == 0) break;
                    f = fail[f];
                }
                fail[t] = Math.max(next, 0);
                int fs = fail[t];
                dictLink[t] = outputs[fs].length > 0 ? fs : dictLink[fs];
                queue.add(t);
            }
        }
        reports = new byte[n];
        for (int s = 1; s < n; s++) reports[s] = (byte) (outputs[s].length > 0 || dictLink[s] > 0 ? 1 : 0);
        // dense rows for the upper levels, breadth first (the root is row 0)
        denseRow = new int[n];
        Arrays.fill(denseRow, -1);
        int[] order = new int[n];
        int[] depth = new int[n];
        int head = 0, tail = 0, rows = 0;
        order[tail++] = 0;
        while (head < tail) {
            int s = order[head++];
            if (depth[s] > DENSE_DEPTH || rows == DENSE_MAX_ROWS) break;
            denseRow[s] = rows++ << 8;
            for (int i = 0; i < childCount[s]; i++) {
                int t = childTargets[childStart[s] + i];
                depth[t] = depth[s] + 1;
                order[tail++] = t;
            }
        }
        dense = new int[rows << 8];
        for (int s = 0; s < n; s++) {
            int row = denseRow[s];
            if (row < 0) continue;
            for (int raw = 0; raw < 256; raw++) dense[row + raw] = delta(s, Matcher.lower((byte) raw) & 255);
        }
    }

    /** The automaton's move from state s on (lower-cased) byte b, following failure links. */
    private int delta(int s, int b) {
        while (true) {
            if (s == 0) return rootNext[b];
            int next = child(s, b);
            if (next >= 0) return next;
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

    /** Scans buf[from, to) and reports each occurrence. */
    public void scan(byte[] buf, int from, int to, Hit hit) {
        final int[] dense = this.dense, denseRow = this.denseRow, fail = this.fail;
        final byte[] reports = this.reports;
        int s = 0;
        for (int i = from; i < to; i++) {
            int row = denseRow[s];
            if (row >= 0) {
                s = dense[row + (buf[i] & 255)];
            } else {
                int b = Matcher.lower(buf[i]) & 255;
                while (true) {
                    int next = child(s, b);
                    if (next >= 0) {
                        s = next;
                        break;
                    }
                    s = fail[s];
                    row = denseRow[s];
                    if (row >= 0) {
                        s = dense[row + (buf[i] & 255)];
                        break;
                    }
                }
            }
            if (reports[s] != 0) {
                for (int o : outputs[s]) hit.hit(o, i + 1);
                for (int d = dictLink[s]; d > 0; d = dictLink[d]) {
                    for (int o : outputs[d]) hit.hit(o, i + 1);
                }
            }
        }
    }
}
