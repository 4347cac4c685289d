package io.tandem.sync.internal;

import io.tandem.api.HashList;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class NWayMergeTest {

    /** A window whose packets are the given wire numbers (hash = the number, original = index). */
    static HashList window(int... wire) {
        long[] hi = new long[wire.length];
        long[] lo = new long[wire.length];
        long[] orig = new long[wire.length];
        for (int i = 0; i < wire.length; i++) {
            hi[i] = 0x5eed;
            lo[i] = wire[i];
            orig[i] = i;
        }
        return new HashList(hi, lo, orig);
    }

    static int[] merged(NWayMerge.Result r, int upTo) {
        return IntStream.range(0, upTo).map(i -> (int) r.hash(i).lo()).toArray();
    }

    @Test
    void oneCompleteReplicaGivesItsOrderAndTheAnchorClosestToTheEnd() {
        // r0 complete 0..9; r1 lost 2 and 5 and so reaches 11 in a window of the same size.
        HashList r0 = window(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        HashList r1 = window(0, 1, 3, 4, 6, 7, 8, 9, 10, 11);
        NWayMerge.Result r = NWayMerge.merge(List.of(r0, r1), 4, 4, false);
        assertEquals(10, r.resolved(), "anchor 6..9 closes r0's window");
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, merged(r, r.resolved()));
        assertEquals(10, r.consumed(0));
        assertEquals(8, r.consumed(1), "r1's 10 and 11 are credit for the next round");
        assertEquals(-1, r.positionIn(1, 2), "r1 lacks packet 2");
        assertEquals(2, r.positionIn(1, 3));
        assertEquals(0, r.joinedDuplicates());
    }

    @Test
    void noAnchorWhenNoRunOfLIsCommon() {
        HashList r0 = window(0, 2, 4, 6, 8, 10, 12, 14);
        HashList r1 = window(1, 3, 5, 7, 9, 11, 13, 15);
        assertEquals(0, NWayMerge.merge(List.of(r0, r1), 4, 4, false).resolved());
        assertEquals(0, NWayMerge.merge(List.of(r0, r0), 9, 9, false).resolved(), "anchor longer than the window");
    }

    @Test
    void anchorShrinksOnlyWhenAllowed() {
        HashList r0 = window(0, 1, 3, 4, 6, 8);
        HashList r1 = window(0, 2, 3, 5, 6, 7);
        assertEquals(0, NWayMerge.merge(List.of(r0, r1), 2, 2, false).resolved());
        NWayMerge.Result r = NWayMerge.merge(List.of(r0, r1), 2, 1, false);
        assertEquals(1, r.anchorSize());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6}, merged(r, r.resolved()));
    }

    @Test
    void threeListsUseTheThirdToOrderWhatTheFirstTwoCannot() {
        // Wire 0..11. r0 lost 5, r1 lost 4; only r2 knows 4 comes before 5... and r2 lost 9.
        HashList r0 = window(0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11);
        HashList r1 = window(0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11);
        HashList r2 = window(0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11);
        NWayMerge.Result r = NWayMerge.merge(List.of(r1, r0, r2), 2, 2, false);
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, merged(r, r.resolved()));
        assertTrue(r.joinedDuplicates() > 0, "r0's 5 and r1's 4 are joined with r2's");
    }

    @Test
    void retransmittedDuplicatesStayDistinct() {
        // Wire: 7 1 7 2 3 4 (packet 7 seen twice); r1 lost the first 7.
        HashList r0 = window(7, 1, 7, 2, 3, 4);
        HashList r1 = window(1, 7, 2, 3, 4, 5);
        NWayMerge.Result r = NWayMerge.merge(List.of(r0, r1), 3, 3, false);
        assertArrayEquals(new int[]{7, 1, 7, 2, 3, 4}, merged(r, r.resolved()));
        assertEquals(0, r.joinedDuplicates());
    }

    @Test
    void completeMergeResolvesEverythingWithoutAnchor() {
        HashList r0 = window(0, 2, 4);
        HashList r1 = window(1, 2, 3);
        NWayMerge.Result r = NWayMerge.merge(List.of(r0, r1), 4, 4, true);
        assertEquals(5, r.resolved());
        assertEquals(3, r.consumed(0));
        assertEquals(3, r.consumed(1));
        assertTrue(r.windowClosed(new int[]{3, 3}));
        NWayMerge.Result empty = NWayMerge.merge(List.of(window(), window()), 4, 4, true);
        assertEquals(0, empty.resolved());
    }

    /**
     * Random losses at N replicas: every list is a subsequence of the merge (so wire order is kept wherever one
     * replica saw both packets), nothing twice, nothing anyone holds left out.
     */
    @Test
    void randomLossesKeepEveryListAsSubsequenceAndNoDuplicates() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int trial = 0; trial < 500; trial++) {
            int n = 2 + rnd.nextInt(4);
            int len = 20 + rnd.nextInt(200);
            double loss = rnd.nextDouble() * 0.5;
            List<HashList> lists = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int[] kept = IntStream.range(0, len).filter(x -> rnd.nextDouble() >= loss).toArray();
                lists.add(window(kept));
            }
            NWayMerge.Result r = NWayMerge.merge(lists, 4, 1, true);
            int[] m = merged(r, r.resolved());
            for (HashList l : lists) {
                int at = 0;
                for (long x : l.lo()) {
                    while (at < m.length && m[at] != x) at++;
                    assertTrue(at < m.length, "list is a subsequence of the merge (trial " + trial + ")");
                }
            }
            assertEquals(Arrays.stream(m).distinct().count(), m.length, "no packet twice");
            long union = lists.stream().flatMapToLong(l -> Arrays.stream(l.lo())).distinct().count();
            assertEquals(union, m.length, "every packet someone holds is in the merge");
        }
    }

    /**
     * A long stretch of repeated hashes (same-size packets of one flow) that one replica holds with a burst lost:
     * too large for Myers in reasonable time, it is matched greedily, still keeping both windows as subsequences
     * and adding nothing (greedy matching finds every entry of a subsequence).
     */
    @Test
    void aLargeGapOfRepeatedHashesIsMatchedQuicklyAndWhole() {
        int len = 6000;
        int[] all = IntStream.range(0, len).map(x -> x % 7).toArray();
        SplittableRandom rnd = new SplittableRandom(3);
        int[] lossy = IntStream.range(0, len).filter(x -> x < 1000 || x > 3000 || rnd.nextInt(10) == 0).map(x -> x % 7).toArray();
        long t0 = System.nanoTime();
        NWayMerge.Result r = NWayMerge.merge(List.of(window(all), window(lossy)), 4, 1, true);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(len, r.resolved(), "the lossy window is a subsequence: nothing added (" + millis + " ms)");
        int[] m = merged(r, r.resolved());
        assertArrayEquals(all, m);
    }
}
