package io.tandem.sync.internal;

import java.util.Arrays;

/**
 * Occurrences of packet hashes in one or more windows, with the index of the last occurrence: an open-addressing
 * table over the two hash longs (the merge counts thousands of hashes per exchange; boxed maps dominated it).
 */
final class HashCounts {
    private final long[] hi;
    private final long[] lo;
    private final int[] count;
    private final int[] last;
    private final int mask;

    HashCounts(int expected) {
        int slots = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        hi = new long[slots];
        lo = new long[slots];
        count = new int[slots];
        last = new int[slots];
        mask = slots - 1;
    }

    /** Counts one occurrence of (h, l) at index {@code at}. */
    void add(long h, long l, int at) {
        int s = slot(h, l);
        if (count[s] == 0) {
            hi[s] = h;
            lo[s] = l;
        }
        count[s]++;
        last[s] = at;
    }

    /** The index (h, l) was first seen at; records {@code at} if it is new. Not mixed with {@link #add}. */
    int firstIndex(long h, long l, int at) {
        int s = slot(h, l);
        if (count[s] == 0) {
            hi[s] = h;
            lo[s] = l;
            count[s] = 1;
            last[s] = at;
        }
        return last[s];
    }

    int count(long h, long l) {
        return count[slot(h, l)];
    }

    /** Index given with the last {@link #add} of (h, l); meaningful when {@link #count} is positive. */
    int last(long h, long l) {
        return last[slot(h, l)];
    }

    private int slot(long h, long l) {
        // packet hashes are already uniformly distributed: their low bits are a good index
        int s = (int) (l ^ (l >>> 32) ^ h) & mask;
        while (count[s] != 0 && (hi[s] != h || lo[s] != l)) s = (s + 1) & mask;
        return s;
    }

    void clear() {
        Arrays.fill(count, 0);
    }
}
