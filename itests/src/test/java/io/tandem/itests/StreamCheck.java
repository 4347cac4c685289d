package io.tandem.itests;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares a delivered packet stream with the replayed one, by packet hash, in linear-logarithmic time.
 *
 * <p>Each delivered packet is matched with an unused replayed packet of the same hash, the one nearest to where the
 * previous match leaves off (a looped capture repeats every hash once per loop). Delivered packets with no such
 * replayed packet are <em>extra</em> (never replayed, or delivered more often than replayed). Replayed packets
 * never matched are <em>missing</em>. Matched packets outside the longest run in replay order are <em>displaced</em>:
 * a replica set may swap two neighbours that no replica captured both of, since then no replica knows their order.
 */
final class StreamCheck {
    record Result(int delivered, List<Integer> missing, List<String> extra, List<int[]> displaced) {
        /** Replayed position of a displaced packet and where it was delivered, for messages. */
        String displacedText(int limit) {
            StringBuilder b = new StringBuilder();
            for (int[] d : displaced.subList(0, Math.min(limit, displaced.size()))) {
                b.append(b.length() == 0 ? "" : ", ").append("replayed #").append(d[0]).append(" delivered #").append(d[1]);
            }
            return b.toString();
        }
    }

    private StreamCheck() {
    }

    static Result compare(List<String> replayed, List<String> delivered) {
        Map<String, TreeSet<Integer>> unused = new HashMap<>();
        for (int i = 0; i < replayed.size(); i++) unused.computeIfAbsent(replayed.get(i), h -> new TreeSet<>()).add(i);
        List<String> extra = new ArrayList<>();
        int[] pos = new int[delivered.size()];
        int[] at = new int[delivered.size()];
        int n = 0;
        int cursor = 0;
        for (int j = 0; j < delivered.size(); j++) {
            TreeSet<Integer> s = unused.get(delivered.get(j));
            if (s == null || s.isEmpty()) {
                extra.add(delivered.get(j));
                continue;
            }
            Integer lo = s.floor(cursor), hi = s.ceiling(cursor);
            int p = lo == null ? hi : hi == null ? lo : (cursor - lo <= hi - cursor ? lo : hi);
            s.remove(p);
            pos[n] = p;
            at[n++] = j;
            cursor = p + 1;
        }
        List<Integer> missing = new ArrayList<>();
        for (TreeSet<Integer> s : unused.values()) missing.addAll(s);
        missing.sort(null);
        // Longest strictly increasing run of replayed positions (patience sorting); the rest is displaced.
        boolean[] inOrder = longestIncreasing(Arrays.copyOf(pos, n));
        List<int[]> displaced = new ArrayList<>();
        for (int x = 0; x < n; x++) if (!inOrder[x]) displaced.add(new int[] {pos[x], at[x]});
        return new Result(delivered.size(), missing, extra, displaced);
    }

    /** Marks the members of one longest strictly increasing subsequence of {@code a}. */
    static boolean[] longestIncreasing(int[] a) {
        int n = a.length;
        int[] tailIndex = new int[n + 1];
        int[] previous = new int[n];
        int length = 0;
        for (int i = 0; i < n; i++) {
            int lo = 1, hi = length;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (a[tailIndex[mid]] < a[i]) lo = mid + 1;
                else hi = mid - 1;
            }
            previous[i] = lo > 1 ? tailIndex[lo - 1] : -1;
            tailIndex[lo] = i;
            length = Math.max(length, lo);
        }
        boolean[] member = new boolean[n];
        for (int i = length == 0 ? -1 : tailIndex[length]; i >= 0; i = previous[i]) member[i] = true;
        return member;
    }
}
