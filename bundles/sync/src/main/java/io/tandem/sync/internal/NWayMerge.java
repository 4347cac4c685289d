package io.tandem.sync.internal;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import io.tandem.api.HashList;
import io.tandem.api.PacketHash;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The deterministic N-way merge of one round's windows (one hash list per replica, in replica-id order).
 * Every replica runs it on the same lists, so every replica gets the same merged sequence; see docs/sync.md.
 *
 * <ol>
 * <li><b>Identity.</b> Which entries of different lists are the same packet: list 0 is the reference; each other
 *     list is diffed against it with java-diff-utils (Myers), and matched entries are the same packet. Entries no
 *     reference entry matched are identified across lists by (hash, rank among that list's unmatched entries).
 *     Diffing (rather than hash equality alone) keeps repeated packets, such as retransmissions, apart.</li>
 * <li><b>Order.</b> Each list is a chain of "comes before" constraints; the merged sequence is a topological
 *     order of all of them, ties broken by the lowest list index. So every list stays a subsequence of the merge,
 *     which is exactly what pairwise diff merging cannot promise for three or more lists.</li>
 * <li><b>Anchor.</b> The last run of {@code l} merged entries held consecutively by every list, such that the
 *     merge up to it contains exactly each list's entries up to it, in their order. Everything up to the anchor is
 *     resolved; what follows is the next round's credit.</li>
 * </ol>
 */
public final class NWayMerge {

    private NWayMerge() {
    }

    /** What a merge resolved. Node = one distinct packet across the lists. */
    public static final class Result {
        private final int[] order;
        private final long[] hi;
        private final long[] lo;
        private final int[][] pos;
        private final int resolved;
        private final int[] consumed;
        private final int anchorSize;
        private final boolean forced;

        Result(int[] order, long[] hi, long[] lo, int[][] pos, int resolved, int[] consumed, int anchorSize, boolean forced) {
            this.order = order;
            this.hi = hi;
            this.lo = lo;
            this.pos = pos;
            this.resolved = resolved;
            this.consumed = consumed;
            this.anchorSize = anchorSize;
            this.forced = forced;
        }

        /** Length of the resolved prefix of the merged sequence (0: no anchor). */
        public int resolved() {
            return resolved;
        }

        /** How many entries of list {@code list} the resolved prefix contains (its own packets up to the anchor). */
        public int consumed(int list) {
            return consumed[list];
        }

        /** True when the resolved prefix holds every entry of every list (the window closed: thesis cases -1/-2). */
        public boolean windowClosed(int[] sizes) {
            for (int i = 0; i < sizes.length; i++) if (consumed[i] != sizes[i]) return false;
            return true;
        }

        /** Anchor size used (l, less when shrunk); 0 for a final merge without anchor. */
        public int anchorSize() {
            return anchorSize;
        }

        /** Some "comes before" constraints contradicted each other and were broken by list order. */
        public boolean forced() {
            return forced;
        }

        public PacketHash hash(int mergedIndex) {
            int node = order[mergedIndex];
            return new PacketHash(hi[node], lo[node]);
        }

        /** Position in list {@code list} of the packet at {@code mergedIndex}, or -1 if that list lacks it. */
        public int positionIn(int list, int mergedIndex) {
            return pos[order[mergedIndex]][list];
        }

        /** Total merged length (resolved prefix and unresolved rest). */
        public int length() {
            return order.length;
        }
    }

    /**
     * Merges the windows.
     *
     * @param lists      one window per replica, replica-id order
     * @param anchorSize l
     * @param minAnchor  the smallest anchor accepted when none of size l exists (l = no shrinking)
     * @param complete   every list is its replica's whole remainder (finite sources ended): resolve everything
     */
    public static Result merge(List<HashList> lists, int anchorSize, int minAnchor, boolean complete) {
        int n = lists.size();
        Nodes nodes = identify(lists);
        int total = nodes.count;
        int[][] listNodes = nodes.listNodes;

        // Topological order of the per-list chains; ties and conflicts go to the lowest list index.
        int[] ptr = new int[n];
        int[] atHead = new int[total];
        boolean[] emitted = new boolean[total];
        for (int i = 0; i < n; i++) if (listNodes[i].length > 0) atHead[listNodes[i][0]]++;
        int[] order = new int[total];
        boolean forced = false;
        for (int m = 0; m < total; m++) {
            int chosen = -1;
            for (int i = 0; i < n && chosen < 0; i++) {
                if (ptr[i] < listNodes[i].length) {
                    int node = listNodes[i][ptr[i]];
                    if (atHead[node] == nodes.lists[node]) chosen = node;
                }
            }
            if (chosen < 0) {
                forced = true;
                for (int i = 0; i < n && chosen < 0; i++) if (ptr[i] < listNodes[i].length) chosen = listNodes[i][ptr[i]];
            }
            order[m] = chosen;
            emitted[chosen] = true;
            for (int j = 0; j < n; j++) {
                int[] ln = listNodes[j];
                if (ptr[j] < ln.length && ln[ptr[j]] == chosen) {
                    do ptr[j]++; while (ptr[j] < ln.length && emitted[ln[ptr[j]]]);
                    if (ptr[j] < ln.length) atHead[ln[ptr[j]]]++;
                }
            }
        }

        // Per prefix length e and list i: entries of i in order[0, e), the largest position among them, and
        // whether they appear in increasing position order (so inserting missing packets is enough).
        int[][] cnt = new int[n][total + 1];
        int[][] maxPos = new int[n][total + 1];
        boolean[][] ordered = new boolean[n][total + 1];
        for (int i = 0; i < n; i++) {
            maxPos[i][0] = -1;
            ordered[i][0] = true;
            for (int e = 0; e < total; e++) {
                int p = nodes.pos[order[e]][i];
                cnt[i][e + 1] = cnt[i][e] + (p >= 0 ? 1 : 0);
                maxPos[i][e + 1] = Math.max(maxPos[i][e], p);
                ordered[i][e + 1] = ordered[i][e] && (p < 0 || p > maxPos[i][e]);
            }
        }

        int[] consumed = new int[n];
        if (complete) {
            for (int e = total; e > 0; e--) {
                if (prefixClosed(cnt, maxPos, ordered, e, n)) {
                    for (int i = 0; i < n; i++) consumed[i] = cnt[i][e];
                    return new Result(order, nodes.hi, nodes.lo, nodes.pos, e, consumed, 0, forced);
                }
            }
            return new Result(order, nodes.hi, nodes.lo, nodes.pos, 0, consumed, 0, forced);
        }
        for (int l = anchorSize; l >= Math.max(1, minAnchor); l--) {
            for (int p = total - l; p >= 0; p--) {
                if (isAnchor(nodes, order, p, l, n) && prefixClosed(cnt, maxPos, ordered, p + l, n)) {
                    for (int i = 0; i < n; i++) consumed[i] = cnt[i][p + l];
                    return new Result(order, nodes.hi, nodes.lo, nodes.pos, p + l, consumed, l, forced);
                }
            }
        }
        return new Result(order, nodes.hi, nodes.lo, nodes.pos, 0, consumed, anchorSize, forced);
    }

    private static boolean isAnchor(Nodes nodes, int[] order, int p, int l, int n) {
        int[] first = nodes.pos[order[p]];
        for (int t = 0; t < l; t++) {
            int node = order[p + t];
            if (nodes.lists[node] != n) return false;
            int[] np = nodes.pos[node];
            for (int i = 0; i < n; i++) if (np[i] != first[i] + t) return false;
        }
        return true;
    }

    /** The prefix order[0, e) holds, for every list, exactly its first entries, in order. */
    private static boolean prefixClosed(int[][] cnt, int[][] maxPos, boolean[][] ordered, int e, int n) {
        for (int i = 0; i < n; i++) {
            if (!ordered[i][e] || cnt[i][e] != maxPos[i][e] + 1) return false;
        }
        return true;
    }

    /** Distinct packets across the lists and where each list holds them. */
    private static final class Nodes {
        int count;
        long[] hi = new long[64];
        long[] lo = new long[64];
        int[][] pos = new int[64][];
        int[] lists = new int[64];
        int[][] listNodes;

        int add(long h, long l, int listCount) {
            if (count == hi.length) {
                int c = count * 2;
                hi = Arrays.copyOf(hi, c);
                lo = Arrays.copyOf(lo, c);
                pos = Arrays.copyOf(pos, c);
                lists = Arrays.copyOf(lists, c);
            }
            hi[count] = h;
            lo[count] = l;
            int[] p = new int[listCount];
            Arrays.fill(p, -1);
            pos[count] = p;
            return count++;
        }

        void place(int node, int list, int position) {
            pos[node][list] = position;
            lists[node]++;
        }
    }

    private static Nodes identify(List<HashList> lists) {
        int n = lists.size();
        Nodes nodes = new Nodes();
        nodes.listNodes = new int[n][];
        HashList ref = lists.get(0);
        int[] refNodes = new int[ref.size()];
        for (int j = 0; j < ref.size(); j++) {
            refNodes[j] = nodes.add(ref.hi()[j], ref.lo()[j], n);
            nodes.place(refNodes[j], 0, j);
        }
        nodes.listNodes[0] = refNodes;
        List<PacketHash> refHashes = asHashes(ref);
        Map<RankedHash, Integer> unmatched = new HashMap<>();
        for (int i = 1; i < n; i++) {
            HashList list = lists.get(i);
            int[] ln = new int[list.size()];
            Arrays.fill(ln, -1);
            // Entries outside every delta are equal in both lists: the same packet.
            int s = 0;
            int t = 0;
            for (AbstractDelta<PacketHash> delta : DiffUtils.diff(refHashes, asHashes(list)).getDeltas()) {
                int ds = delta.getSource().getPosition();
                while (s < ds) ln[t++] = refNodes[s++];
                s += delta.getSource().size();
                t += delta.getTarget().size();
            }
            while (t < ln.length) ln[t++] = refNodes[s++];
            Map<PacketHash, Integer> ranks = new HashMap<>();
            for (int j = 0; j < ln.length; j++) {
                if (ln[j] < 0) {
                    PacketHash h = list.hash(j);
                    int rank = ranks.merge(h, 1, Integer::sum) - 1;
                    RankedHash key = new RankedHash(h, rank);
                    Integer node = unmatched.get(key);
                    if (node == null) {
                        node = nodes.add(h.hi(), h.lo(), n);
                        unmatched.put(key, node);
                    }
                    ln[j] = node;
                }
                nodes.place(ln[j], i, j);
            }
            nodes.listNodes[i] = ln;
        }
        return nodes;
    }

    private record RankedHash(PacketHash hash, int rank) {
    }

    private static List<PacketHash> asHashes(HashList list) {
        List<PacketHash> out = new ArrayList<>(list.size());
        for (int j = 0; j < list.size(); j++) out.add(list.hash(j));
        return out;
    }
}
