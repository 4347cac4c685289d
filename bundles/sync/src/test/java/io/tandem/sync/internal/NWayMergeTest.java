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

    /**
     * Windows of a stream made only of repeats (each of 9 frames twice, as ppa1e_blaster.pcap), each replica 2 %
     * lossy or lossless, larger than Myers is run on: the merge is the wire exactly, whichever window is lossless
     * and when none is (at this loss every packet is held by some replica). The greedy match alone gave a third
     * more entries.
     */
    @Test
    void largeWindowsOfRepeatsMergeToTheWire() {
        for (int n : new int[]{3000, 20000}) {
            for (int lossless = -1; lossless < 3; lossless++) {
                SplittableRandom rnd = new SplittableRandom(n + lossless);
                int[] wire = IntStream.range(0, n).map(x -> (x / 2) % 9).toArray();
                List<HashList> ws = new ArrayList<>();
                boolean[] held = new boolean[n];
                for (int r = 0; r < 3; r++) {
                    int keep = r;
                    int l = lossless;
                    int[] at = IntStream.range(0, n).filter(x -> keep == l || rnd.nextInt(50) > 0).toArray();
                    for (int x : at) held[x] = true;
                    ws.add(window(Arrays.stream(at).map(x -> wire[x]).toArray()));
                }
                NWayMerge.Result r = NWayMerge.merge(ws, 4, 1, true);
                int[] expected = IntStream.range(0, n).filter(x -> held[x]).map(x -> wire[x]).toArray();
                assertArrayEquals(expected, merged(r, r.resolved()), "n=" + n + ", lossless window " + lossless);
            }
        }
    }

    /**
     * On such traffic no anchor of unique hashes exists; once shorter anchors are allowed (minAnchor 1), the merge
     * anchors on repeated ones in the first half of every window, instead of waiting for the source to end.
     */
    @Test
    void repeatsAnchorOnlyAsALastResortAndInTheWindowsFirstHalf() {
        int[] wire = IntStream.range(0, 200).map(x -> (x / 2) % 9).toArray();
        HashList full = window(wire);
        HashList lossy = window(IntStream.range(0, 200).filter(x -> x % 37 != 5).map(x -> wire[x]).toArray());
        assertEquals(0, NWayMerge.merge(List.of(full, lossy), 4, 4, false).resolved(), "repeated hashes do not anchor");
        NWayMerge.Result r = NWayMerge.merge(List.of(full, lossy), 4, 1, false);
        assertTrue(r.resolved() > 50 && r.resolved() <= 100, "anchored in the first half: " + r.resolved());
        assertArrayEquals(Arrays.copyOf(wire, r.resolved()), merged(r, r.resolved()));
        assertTrue(2 * r.consumed(1) <= lossy.size());
    }

    /**
     * A join's realignment: r0 delivered 0..5 already (the authority's prefix); the joiner r1 holds 99, which every
     * member lost between 2 and 3. Without the authority the merge would put it into the delivered prefix; with it,
     * 99 is discarded from the joiner's window and the prefix stays as delivered.
     */
    @Test
    void theDeliveredPrefixIsAuthoritativeAndAJoinersOlderExtrasAreDiscarded() {
        HashList member = window(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        HashList joiner = window(0, 2, 99, 3, 5, 6, 7, 8, 9, 10);
        NWayMerge.Result plain = NWayMerge.merge(List.of(member, joiner), 4, 4, false);
        assertArrayEquals(new int[]{0, 1, 2, 99, 3, 4, 5, 6, 7, 8, 9}, merged(plain, plain.resolved()), "the bug: 99 inserted at 3");
        NWayMerge.Result r = NWayMerge.merge(List.of(member, joiner), 4, 4, false, new NWayMerge.Authority(0, 6));
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, merged(r, r.resolved()));
        assertArrayEquals(new int[]{2}, r.discarded(1), "the joiner drops its 99");
        assertArrayEquals(new int[0], r.discarded(0));
        assertEquals(-1, r.positionIn(1, 1), "the joiner lacks 1 and recovers it");
        assertEquals(3, r.positionIn(1, 3), "its 3 stays at window position 3 (before the discard)");
        assertEquals(9, r.consumed(1), "discarded entries count as consumed");
    }

    /** An extra after the delivered prefix is the next round's packet like any other: kept. */
    @Test
    void aJoinersExtraAfterTheDeliveredPrefixIsKept() {
        HashList member = window(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        HashList joiner = window(0, 1, 2, 3, 4, 5, 6, 7, 55, 8, 9);
        NWayMerge.Result r = NWayMerge.merge(List.of(member, joiner), 4, 4, false, new NWayMerge.Authority(0, 6));
        assertEquals(8, r.resolved(), "anchor 4..7; 55, 8, 9 are the next round's");
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6, 7, 55, 8, 9}, merged(r, r.length()));
        assertArrayEquals(new int[0], r.discarded(1));
    }

    /**
     * The authority need not be the first list: a member behind (list 0) lacks what it has not recovered yet and
     * holds later packets; the merge starts from the authority (list 1), so those later packets land after the
     * delivered prefix, nothing is discarded, and the joiner's (list 2) extra before the prefix end is.
     */
    @Test
    void aMemberBehindLosesNothingWhateverItsPlaceInTheLists() {
        HashList behind = window(0, 1, 2, 3, 7, 8, 9, 10, 11);
        HashList ahead = window(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        HashList joiner = window(0, 1, 77, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        NWayMerge.Result r = NWayMerge.merge(List.of(behind, ahead, joiner), 4, 4, false, new NWayMerge.Authority(1, 7));
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, merged(r, r.resolved()));
        assertArrayEquals(new int[0], r.discarded(0));
        assertArrayEquals(new int[0], r.discarded(1));
        assertArrayEquals(new int[]{2}, r.discarded(2));
    }

    /**
     * Random joins: the authority's prefix is the delivered stream, a member behind holds a subsequence of it then
     * later packets, a joiner holds its own random subset including packets every member lost. The merge keeps
     * the prefix exactly, discards only joiner entries, and every kept entry stays in wire order.
     */
    @Test
    void randomJoinsKeepTheDeliveredPrefix() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int trial = 0; trial < 500; trial++) {
            int len = 40 + rnd.nextInt(150);
            int prefix = 1 + rnd.nextInt(len / 2);
            // wire 0..len-1; members lost the packets in "lostByMembers"; the delivered stream is what they hold
            boolean[] lostByMembers = new boolean[len];
            for (int x = 1; x < len; x++) lostByMembers[x] = rnd.nextInt(10) == 0;
            int[] stream = IntStream.range(0, len).filter(x -> !lostByMembers[x]).toArray();
            int p = Math.min(prefix, stream.length);
            HashList ahead = window(stream);
            int behindFrom = rnd.nextInt(p + 1);
            int[] behind = IntStream.range(0, stream.length).filter(j -> j < behindFrom || j >= p || rnd.nextInt(3) > 0)
                    .map(j -> stream[j]).toArray();
            int[] joiner = IntStream.range(0, len).filter(x -> x == 0 || rnd.nextInt(10) > 1).toArray();
            NWayMerge.Result r = NWayMerge.merge(List.of(window(behind), ahead, window(joiner)), 4, 1, true, new NWayMerge.Authority(1, p));
            int[] m = merged(r, r.resolved());
            assertArrayEquals(Arrays.copyOf(stream, p), Arrays.copyOf(m, p), "the delivered prefix is kept (trial " + trial + ")");
            assertEquals(0, r.discarded(0).length, "trial " + trial);
            assertEquals(0, r.discarded(1).length, "trial " + trial);
            for (int d : r.discarded(2)) assertTrue(lostByMembers[joiner[d]] && joiner[d] < stream[p - 1], "only joiner extras before the prefix end");
            // every kept entry of every list in its order (wire order wherever one replica saw both), none twice
            List<int[]> kept = List.of(behind, stream, IntStream.range(0, joiner.length)
                    .filter(j -> Arrays.binarySearch(r.discarded(2), j) < 0).map(j -> joiner[j]).toArray());
            for (int[] list : kept) {
                int at = 0;
                for (int x : list) {
                    while (at < m.length && m[at] != x) at++;
                    assertTrue(at < m.length, "each list is a subsequence of the merge (trial " + trial + ")");
                }
            }
            assertEquals(Arrays.stream(m).distinct().count(), m.length, "no packet twice (trial " + trial + ")");
        }
    }
}
