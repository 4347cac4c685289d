package io.tandem.sync.internal;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import io.tandem.api.HashList;
import io.tandem.api.PacketHash;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The deterministic N-way merge of one round's windows (one hash list per replica, in replica-id order).
 * Every replica runs it on the same lists, so every replica gets the same merged sequence; see docs/sync.md.
 *
 * <ol>
 * <li><b>Merge.</b> Start from window 0; merge each next window in along a common subsequence (hashes unique on
 *     both sides first, java-diff-utils' Myers diff for the gaps between them): matched entries are the same packet,
 *     unmatched ones are kept, the merged side's before the new window's. Every window is therefore a subsequence
 *     of the result, whatever the alignment decides.</li>
 * <li><b>Duplicates.</b> Where two windows each hold a packet the other lost at the same place, a pairwise
 *     diff must guess their order; a third window holding both may then disagree and its copy of one of them
 *     becomes a second entry. Two entries with the same hash held by disjoint sets of windows are the same packet
 *     when one can move next to the other without passing an entry its own windows hold; they are joined.</li>
 * <li><b>Anchor.</b> The last run of {@code l} entries held by every window, none of them with a hash any window
 *     holds twice (a repeated hash may name a later packet in a window that reaches further). Since every window is a
 *     subsequence of the merge, the merge up to it holds exactly each window's first entries, in order: inserting
 *     what it lacks makes every replica hold that prefix. What follows is the next round's credit.</li>
 * </ol>
 * Diffing rather than hash equality keeps repeated packets (retransmissions, or same-size IPv6 packets of one
 * flow, equal in their first 56 bytes) attached to the right neighbours.
 */
public final class NWayMerge {

    private NWayMerge() {
    }

    /** What a merge resolved, by merged index. */
    public static final class Result {
        private final long[] hi;
        private final long[] lo;
        private final int[][] pos;
        private final int length;
        private final int resolved;
        private final int[] consumed;
        private final int anchorSize;
        private final int joined;
        private final int[][] discarded;

        Result(Merged m, int resolved, int[] consumed, int anchorSize, int[][] discarded) {
            this.hi = m.hi;
            this.lo = m.lo;
            this.pos = m.pos;
            this.length = m.size;
            this.resolved = resolved;
            this.consumed = consumed;
            this.anchorSize = anchorSize;
            this.joined = m.joined;
            this.discarded = discarded;
        }

        /**
         * Positions in list {@code list} (ascending) of its entries that precede the end of the authoritative
         * prefix in the merge but are not in it: packets from before this replica joined that the cluster's
         * delivered stream does not hold. The replica removes them before inserting what it lacks.
         */
        public int[] discarded(int list) {
            return discarded[list];
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

        /** Entries seen by disjoint windows joined as one packet (see the class comment). */
        public int joinedDuplicates() {
            return joined;
        }

        public PacketHash hash(int mergedIndex) {
            return new PacketHash(hi[mergedIndex], lo[mergedIndex]);
        }

        /** Position in list {@code list} of the packet at {@code mergedIndex}, or -1 if that list lacks it. */
        public int positionIn(int list, int mergedIndex) {
            return pos[mergedIndex][list];
        }

        /** Total merged length (resolved prefix and unresolved rest). */
        public int length() {
            return length;
        }
    }

    /**
     * Merges the windows.
     *
     * @param lists      one window per replica, replica-id order (at most 64)
     * @param anchorSize l
     * @param minAnchor  the smallest anchor accepted when none of size l exists (l = no shrinking)
     * @param complete   every list is its replica's whole remainder (finite sources ended): resolve everything
     */
    public static Result merge(List<HashList> lists, int anchorSize, int minAnchor, boolean complete) {
        return merge(lists, anchorSize, minAnchor, complete, null);
    }

    /**
     * Part of one list that is already the delivered stream and must not change: after a view change, the
     * windows start at the smallest aligned end, and the members that are ahead delivered {@code prefix} more
     * packets. See {@link #merge(List, int, int, boolean, Authority)}.
     */
    public record Authority(int list, int prefix) {
        public Authority {
            if (list < 0 || prefix < 1) throw new IllegalArgumentException("authority " + list + "/" + prefix);
        }
    }

    /**
     * Merges the windows; with an {@code authority}, its list's first {@code prefix} entries are the delivered
     * stream. The merge then starts from that list (so another list's unmatched entries in a gap come after the
     * authority's), and every entry the merge places before the end of that prefix that the authority lacks is
     * {@linkplain Result#discarded discarded}: only a joiner holds such packets (it captured them while the members
     * lost them, before it joined), and inserting them would change what the members already delivered. A member
     * behind the authority holds a subsequence of the delivered stream followed by later packets, so it loses none.
     */
    public static Result merge(List<HashList> lists, int anchorSize, int minAnchor, boolean complete, Authority authority) {
        int n = lists.size();
        if (n < 1 || n > 64) throw new IllegalArgumentException("1..64 windows, not " + n);
        if (authority != null && (authority.list() >= n || authority.prefix() > lists.get(authority.list()).size())) {
            throw new IllegalArgumentException("authority " + authority + " beyond the windows");
        }
        int start = authority == null ? 0 : authority.list();
        HashList first = lists.get(start);
        Merged m = new Merged(n, first.size());
        for (int j = 0; j < first.size(); j++) m.add(first.hi()[j], first.lo()[j], 1L << start, start, j);
        for (int i = 0; i < n; i++) if (i != start) m = mergeIn(m, lists.get(i), i);
        Merged ordered = m.unifiedOrder(lists);
        if (ordered != null) m = ordered;
        m.joinDuplicates();
        int[][] discarded = new int[n][];
        int[] dropped = new int[n];
        if (authority != null) dropped = m.discardBefore(authority, discarded);
        for (int i = 0; i < n; i++) if (discarded[i] == null) discarded[i] = new int[0];
        int total = m.size;
        long all = n == 64 ? -1L : (1L << n) - 1;
        // A packet whose hash a window holds twice (retransmission, same-size IPv6 packets of one flow) cannot
        // anchor: a window reaching further ahead may hold a later packet with that hash.
        int longest = 0;
        for (HashList list : lists) longest = Math.max(longest, list.size());
        HashCounts repeated = new HashCounts(total);
        HashCounts count = new HashCounts(longest);
        for (HashList list : lists) {
            count.clear();
            for (int j = 0; j < list.size(); j++) {
                count.add(list.hi()[j], list.lo()[j], j);
                if (count.count(list.hi()[j], list.lo()[j]) == 2) repeated.add(list.hi()[j], list.lo()[j], j);
            }
        }
        int resolved = 0;
        int used = 0;
        if (complete) {
            resolved = total;
        } else {
            search:
            for (int l = anchorSize; l >= Math.max(1, minAnchor); l--) {
                int run = 0;
                for (int p = total - 1; p >= 0; p--) {
                    run = m.mask[p] == all && repeated.count(m.hi[p], m.lo[p]) == 0 ? run + 1 : 0;
                    if (run == l) {
                        resolved = p + l;
                        used = l;
                        break search;
                    }
                }
            }
            if (resolved == 0 && minAnchor <= 1) resolved = repeatedAnchor(m, lists, anchorSize, all);
        }
        int[] consumed = dropped;
        for (int e = 0; e < resolved; e++) {
            for (int i = 0; i < n; i++) if (m.pos[e][i] >= 0) consumed[i]++;
        }
        return new Result(m, resolved, consumed, complete ? 0 : (used > 0 ? used : anchorSize), discarded);
    }

    /**
     * The last resort where every hash repeats inside the window (the same frames again and again): no anchor of
     * unique hashes exists, and without one the window would grow until the source ends or the hash database is
     * full. The last run of l entries every window holds, each in the first half of every window: there the windows
     * overlap whatever each lost, so the diff matched each entry to the same packet or to an equal copy. Returns the
     * resolved length, 0 if there is no such run.
     */
    private static int repeatedAnchor(Merged m, List<HashList> lists, int l, long all) {
        int run = 0;
        int best = 0;
        for (int p = 0; p < m.size; p++) {
            if (m.mask[p] != all) {
                run = 0;
                continue;
            }
            // each window is a subsequence of the merge: once one window's half is passed, no later entry is in it
            for (int i = 0; i < lists.size(); i++) if (2 * m.pos[p][i] >= lists.get(i).size()) return best;
            if (++run >= l) best = p + 1;
        }
        return best;
    }

    /** The merge of {@code m} and window {@code i}: both stay subsequences of the result. */
    private static Merged mergeIn(Merged m, HashList list, int i) {
        int[] match = align(m.hi, m.lo, m.size, list.hi(), list.lo(), list.size());
        Merged next = new Merged(m.lists, m.size + list.size());
        long bit = 1L << i;
        int t = 0;
        for (int s = 0; s < m.size; s++) {
            int b = match[s];
            if (b < 0) {
                next.copy(m, s);
                continue;
            }
            // between two matches the merged side's own entries come first, then the new window's
            for (; t < b; t++) next.add(list.hi()[t], list.lo()[t], bit, i, t);
            next.copyMatched(m, s, bit, i, t++);
        }
        for (; t < list.size(); t++) next.add(list.hi()[t], list.lo()[t], bit, i, t);
        return next;
    }

    /**
     * A common subsequence of a and b, as {@code match[ia] = ib} (or -1), increasing. Hashes that occur once in
     * each side are matched first (their longest increasing chain, as in patience diff); only the short gaps between
     * them go to java-diff-utils' Myers diff, whose cost grows with the product of length and differences. Repeated
     * hashes are therefore still placed by the diff, next to their neighbours.
     */
    static int[] align(long[] aHi, long[] aLo, int aSize, long[] bHi, long[] bLo, int bSize) {
        HashCounts inA = new HashCounts(aSize);
        HashCounts inB = new HashCounts(bSize);
        for (int x = 0; x < aSize; x++) inA.add(aHi[x], aLo[x], x);
        for (int y = 0; y < bSize; y++) inB.add(bHi[y], bLo[y], y);
        // unique-in-both pairs in a's order; their longest chain increasing in b (patience sorting)
        int[] pairA = new int[Math.min(aSize, bSize)];
        int[] pairB = new int[pairA.length];
        int pairs = 0;
        for (int x = 0; x < aSize; x++) {
            if (inA.count(aHi[x], aLo[x]) == 1 && inB.count(aHi[x], aLo[x]) == 1) {
                pairA[pairs] = x;
                pairB[pairs++] = inB.last(aHi[x], aLo[x]);
            }
        }
        int[] tails = new int[pairs];
        int[] previous = new int[pairs];
        int chain = 0;
        for (int p = 0; p < pairs; p++) {
            int lo = 0;
            int hi = chain;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (pairB[tails[mid]] < pairB[p]) lo = mid + 1;
                else hi = mid;
            }
            previous[p] = lo > 0 ? tails[lo - 1] : -1;
            tails[lo] = p;
            if (lo == chain) chain++;
        }
        int[] match = new int[aSize];
        Arrays.fill(match, -1);
        int[] anchorsA = new int[chain];
        int[] anchorsB = new int[chain];
        for (int c = chain - 1, p = chain > 0 ? tails[chain - 1] : -1; c >= 0; c--, p = previous[p]) {
            anchorsA[c] = pairA[p];
            anchorsB[c] = pairB[p];
        }
        int fromA = 0;
        int fromB = 0;
        for (int c = 0; c <= chain; c++) {
            int toA = c < chain ? anchorsA[c] : aSize;
            int toB = c < chain ? anchorsB[c] : bSize;
            alignGap(aHi, aLo, fromA, toA, bHi, bLo, fromB, toB, match);
            if (c < chain) match[toA] = toB;
            fromA = toA + 1;
            fromB = toB + 1;
        }
        return match;
    }

    /** Beyond this many (a × b) entries a gap is aligned locally: Myers' time grows with length × differences. */
    static final long MYERS_LIMIT = 1L << 22;
    /** How far ahead the local alignment looks for the partner of an entry (see {@link #alignLocally}). */
    static final int LOOKAHEAD = 64;

    /** Common subsequence of a[fromA, toA) and b[fromB, toB) into {@code match}. */
    private static void alignGap(long[] aHi, long[] aLo, int fromA, int toA, long[] bHi, long[] bLo, int fromB, int toB, int[] match) {
        if (fromA >= toA || fromB >= toB) return;
        if ((long) (toA - fromA) * (toB - fromB) <= MYERS_LIMIT) {
            myers(aHi, aLo, fromA, toA, bHi, bLo, fromB, toB, match);
            return;
        }
        // Three linear alignments, and the one matching most (Myers' goal: the shortest merge). Greedy matching finds
        // every entry of a side that is a subsequence of the other (one side lost, the other did not), but jumps a
        // period ahead at every copy of a repeated frame the other side lost; the local walk does not.
        int[][] candidates = {
                greedy(aHi, aLo, fromA, toA, bHi, bLo, fromB, toB, false),
                greedy(bHi, bLo, fromB, toB, aHi, aLo, fromA, toA, true),
                alignLocally(aHi, aLo, fromA, toA, bHi, bLo, fromB, toB)};
        int[] best = candidates[0];
        for (int[] c : candidates) if (matched(c) > matched(best)) best = c;
        System.arraycopy(best, 0, match, fromA, best.length);
    }

    private static int matched(int[] match) {
        int n = 0;
        for (int y : match) if (y >= 0) n++;
        return n;
    }

    /**
     * Each q entry takes the next p entry after the last match with its hash: all of q is matched when q is a
     * subsequence of p. Returns the match over a = (swapped ? q : p), indexed from a's start, as in {@link #align}.
     */
    private static int[] greedy(long[] pHi, long[] pLo, int fromP, int toP, long[] qHi, long[] qLo, int fromQ, int toQ, boolean swapped) {
        Map<PacketHash, ArrayDeque<Integer>> at = new HashMap<>();
        for (int x = fromP; x < toP; x++) at.computeIfAbsent(new PacketHash(pHi[x], pLo[x]), h -> new ArrayDeque<>()).add(x);
        int[] out = new int[swapped ? toQ - fromQ : toP - fromP];
        Arrays.fill(out, -1);
        int last = fromP - 1;
        for (int y = fromQ; y < toQ; y++) {
            ArrayDeque<Integer> q = at.get(new PacketHash(qHi[y], qLo[y]));
            if (q == null) continue;
            while (!q.isEmpty() && q.peekFirst() <= last) q.pollFirst();
            if (q.isEmpty()) continue;
            last = q.pollFirst();
            if (swapped) out[y - fromQ] = last;
            else out[last - fromP] = y;
        }
        return out;
    }

    /**
     * A large gap without hashes unique to both sides: repeating traffic (the same frames again and again), or a
     * burst one side lost while the other held repeated packets. Both sides are walked together: equal heads match;
     * otherwise the side whose head has its copy nearer in the other (within LOOKAHEAD) skips to it, its skipped
     * entries being what the other lost; with no copy near either, both heads stay unmatched. Linear, and local: a
     * side that lost one copy of a repeated frame is not matched a period ahead (the greedy match this replaced
     * did that at every copy one side lost and left the other side's tail unmatched: on a capture of repeats, a
     * third of the stream was delivered twice).
     */
    static int[] alignLocally(long[] aHi, long[] aLo, int fromA, int toA, long[] bHi, long[] bLo, int fromB, int toB) {
        int[] match = new int[toA - fromA];
        Arrays.fill(match, -1);
        // The last RECENT matches: how many a entries the wire's recent stretch has per b entry. Where one side lost
        // most of a stretch, each of its entries stands for several of the other's, and skipping it costs more.
        final int recent = 64;
        int[] recentA = new int[recent];
        int[] recentB = new int[recent];
        int matches = 0;
        int x = fromA;
        int y = fromB;
        while (x < toA && y < toB) {
            if (aHi[x] == bHi[y] && aLo[x] == bLo[y]) {
                recentA[matches % recent] = x;
                recentB[matches % recent] = y;
                matches++;
                match[x++ - fromA] = y++;
                continue;
            }
            int inA = -1; // b[y]'s next copy in a, as a distance
            for (int d = 1; d <= LOOKAHEAD && x + d < toA && inA < 0; d++) if (aHi[x + d] == bHi[y] && aLo[x + d] == bLo[y]) inA = d;
            int inB = -1; // a[x]'s next copy in b
            for (int d = 1; d <= LOOKAHEAD && y + d < toB && inB < 0; d++) if (bHi[y + d] == aHi[x] && bLo[y + d] == aLo[x]) inB = d;
            if (inA < 0 && inB < 0) {
                x++;
                y++;
            } else if (inB < 0) {
                x += inA;
            } else if (inA < 0) {
                y += inB;
            } else {
                // a entries per b entry over the recent matches (1 before there are any)
                double perB = 1;
                if (matches > 1) {
                    int oldest = matches > recent ? matches % recent : 0;
                    int newest = (matches - 1) % recent;
                    perB = (double) (recentA[newest] - recentA[oldest] + 1) / (recentB[newest] - recentB[oldest] + 1);
                }
                if (inA <= inB * perB) x += inA;
                else y += inB;
            }
        }
        return match;
    }

    /** Myers diff of a[fromA, toA) against b[fromB, toB); entries outside its deltas are matched. */
    private static void myers(long[] aHi, long[] aLo, int fromA, int toA, long[] bHi, long[] bLo, int fromB, int toB, int[] match) {
        List<PacketHash> a = new ArrayList<>(toA - fromA);
        List<PacketHash> b = new ArrayList<>(toB - fromB);
        for (int x = fromA; x < toA; x++) a.add(new PacketHash(aHi[x], aLo[x]));
        for (int y = fromB; y < toB; y++) b.add(new PacketHash(bHi[y], bLo[y]));
        int s = 0;
        int t = 0;
        for (AbstractDelta<PacketHash> delta : DiffUtils.diff(a, b).getDeltas()) {
            int ds = delta.getSource().getPosition();
            while (s < ds) match[fromA + s++] = fromB + t++;
            s += delta.getSource().size();
            t += delta.getTarget().size();
        }
        while (s < a.size()) match[fromA + s++] = fromB + t++;
    }

    /** The merged entries: hash, which windows hold each (bit mask) and where (position per window, or -1). */
    private static final class Merged {
        /**
         * How close (in the diff merge) two entries with one hash must be to be taken for one packet. A pairwise
         * diff misorders only within one delta, so twins of one packet stand close; equal hashes farther apart are
         * more likely two packets (same-size IPv6 packets of a flow, or a window reaching further ahead).
         */
        private static final int JOIN_REACH = 32;
        final int lists;
        int size;
        long[] hi;
        long[] lo;
        long[] mask;
        int[][] pos;
        int joined;

        Merged(int lists, int capacity) {
            this.lists = lists;
            int c = Math.max(16, capacity);
            hi = new long[c];
            lo = new long[c];
            mask = new long[c];
            pos = new int[c][];
        }

        void add(long h, long l, long bit, int list, int position) {
            int[] p = new int[lists];
            Arrays.fill(p, -1);
            p[list] = position;
            append(h, l, bit, p);
        }

        void copy(Merged from, int e) {
            append(from.hi[e], from.lo[e], from.mask[e], from.pos[e]);
        }

        void copyMatched(Merged from, int e, long bit, int list, int position) {
            from.pos[e][list] = position;
            append(from.hi[e], from.lo[e], from.mask[e] | bit, from.pos[e]);
        }

        private void append(long h, long l, long m, int[] p) {
            if (size == hi.length) {
                int c = size * 2;
                hi = Arrays.copyOf(hi, c);
                lo = Arrays.copyOf(lo, c);
                mask = Arrays.copyOf(mask, c);
                pos = Arrays.copyOf(pos, c);
            }
            hi[size] = h;
            lo[size] = l;
            mask[size] = m;
            pos[size] = p;
            size++;
        }

        /**
         * Packets no window holds twice, whose entries stand within {@link #JOIN_REACH} of each other, are identified
         * by hash alone (which needs no order decision), and the
         * entries are put in a topological order of every window's chain, ties going to this merge's order. Returns
         * null if the windows' orders then contradict each other (equal hashes that were different packets).
         */
        Merged unifiedOrder(List<HashList> windows) {
            int[] node = new int[size];
            HashCounts first = new HashCounts(size);
            long[] groupMask = new long[size];
            boolean[] shared = new boolean[size];
            for (int e = 0; e < size; e++) {
                node[e] = first.firstIndex(hi[e], lo[e], e);
                if ((groupMask[node[e]] & mask[e]) != 0 || e - node[e] > JOIN_REACH) shared[node[e]] = true;
                groupMask[node[e]] |= mask[e];
            }
            // A hash some window holds twice, or held far apart, keeps the diff's identities.
            boolean joins = false;
            for (int e = 0; e < size; e++) {
                if (shared[node[e]]) node[e] = e;
                joins |= node[e] != e;
            }
            // Nothing to join: this merge already orders every window's chain, and the heap below would return it as is.
            if (!joins) return this;
            Merged u = new Merged(lists, size);
            int[] index = new int[size];
            Arrays.fill(index, -1);
            for (int e = 0; e < size; e++) {
                int root = node[e];
                if (index[root] < 0) {
                    index[root] = u.size;
                    u.append(hi[e], lo[e], 0, filled(lists));
                }
                int x = index[root];
                u.mask[x] |= mask[e];
                for (int i = 0; i < lists; i++) if (pos[e][i] >= 0) u.pos[x][i] = pos[e][i];
                joined += root != e ? 1 : 0;
            }
            // Kahn over the windows' chains; u's indices follow this merge's order, so the heap breaks ties by it.
            int[][] chain = new int[lists][];
            int[] indegree = new int[u.size];
            for (int i = 0; i < lists; i++) {
                chain[i] = new int[windows.get(i).size()];
                for (int x = 0; x < u.size; x++) if (u.pos[x][i] >= 0) chain[i][u.pos[x][i]] = x;
                for (int j = 1; j < chain[i].length; j++) indegree[chain[i][j]]++;
            }
            int[][] next = new int[u.size][lists];
            for (int[] row : next) Arrays.fill(row, -1);
            for (int i = 0; i < lists; i++) for (int j = 1; j < chain[i].length; j++) next[chain[i][j - 1]][i] = chain[i][j];
            PriorityQueue<Integer> ready = new PriorityQueue<>();
            for (int x = 0; x < u.size; x++) if (indegree[x] == 0) ready.add(x);
            Merged out = new Merged(lists, u.size);
            out.joined = joined;
            while (!ready.isEmpty()) {
                int x = ready.poll();
                out.append(u.hi[x], u.lo[x], u.mask[x], u.pos[x]);
                for (int i = 0; i < lists; i++) {
                    int y = next[x][i];
                    if (y >= 0 && --indegree[y] == 0) ready.add(y);
                }
            }
            if (out.size < u.size) {
                joined = 0;
                return null;
            }
            return out;
        }

        private static int[] filled(int lists) {
            int[] p = new int[lists];
            Arrays.fill(p, -1);
            return p;
        }

        /**
         * Joins entry pairs that are one packet seen by disjoint windows. The earlier entry moves to the later one
         * if none of its windows holds anything in between, else the later moves back if none of its windows does;
         * otherwise they are two packets. Windows stay subsequences either way.
         */
        void joinDuplicates() {
            boolean[] gone = new boolean[size];
            for (int y = 1; y < size; y++) {
                long between = 0;
                for (int x = y - 1; x >= 0 && x >= y - JOIN_REACH; x--) {
                    if (gone[x]) continue;
                    if (hi[x] == hi[y] && lo[x] == lo[y]) {
                        if ((mask[x] & mask[y]) == 0) {
                            if ((between & mask[x]) == 0) {
                                absorb(y, x);
                                gone[x] = true;
                                joined++;
                            } else if ((between & mask[y]) == 0) {
                                absorb(x, y);
                                gone[y] = true;
                                joined++;
                            }
                        }
                        break;
                    }
                    between |= mask[x];
                }
            }
            if (joined > 0) removeMarked(gone);
        }

        /** Drops the entries marked gone, keeping the others in order. */
        private void removeMarked(boolean[] gone) {
            int w = 0;
            for (int e = 0; e < size; e++) {
                if (gone[e]) continue;
                hi[w] = hi[e];
                lo[w] = lo[e];
                mask[w] = mask[e];
                pos[w] = pos[e];
                w++;
            }
            size = w;
        }

        /**
         * Removes the entries before the authority's last prefix entry that the authority lacks; fills
         * {@code discarded} with each list's positions of them and returns how many each list lost.
         */
        int[] discardBefore(Authority authority, int[][] discarded) {
            int a = authority.list();
            int cut = -1;
            for (int e = 0; e < size; e++) {
                if (pos[e][a] == authority.prefix() - 1) {
                    cut = e;
                    break;
                }
            }
            boolean[] gone = new boolean[size];
            List<List<Integer>> byList = new ArrayList<>();
            for (int i = 0; i < lists; i++) byList.add(new ArrayList<>());
            for (int e = 0; e < cut; e++) {
                if (pos[e][a] >= 0) continue;
                gone[e] = true;
                for (int i = 0; i < lists; i++) if (pos[e][i] >= 0) byList.get(i).add(pos[e][i]);
            }
            removeMarked(gone);
            int[] counts = new int[lists];
            for (int i = 0; i < lists; i++) {
                discarded[i] = byList.get(i).stream().mapToInt(Integer::intValue).sorted().toArray();
                counts[i] = discarded[i].length;
            }
            return counts;
        }

        private void absorb(int into, int from) {
            mask[into] |= mask[from];
            for (int i = 0; i < lists; i++) if (pos[from][i] >= 0) pos[into][i] = pos[from][i];
        }
    }

}
