package io.tandem.hashdb.internal;

import io.tandem.api.PacketHash;

import java.util.Objects;

/**
 * A small open-addressing set of boot hashes over primitive (hi, lo) pairs, so the backward scan of the whole
 * database in findBootCluster neither allocates nor boxes per packet.
 */
public final class BootHashIndex {
    private final long[] hi;
    private final long[] lo;
    /** Per boot hash, the index of the first boot hash equal to it. */
    private final int[] canonical;
    /** Open-addressing table of canonical indices + 1 (0 = empty). */
    private final int[] table;
    private final int mask;
    private int distinct;

    public BootHashIndex(PacketHash[] hashes) {
        int n = hashes.length;
        hi = new long[n];
        lo = new long[n];
        canonical = new int[n];
        int size = Integer.highestOneBit(Math.max(2, 2 * n) - 1) << 1;
        table = new int[size];
        mask = size - 1;
        for (int i = 0; i < n; i++) {
            PacketHash h = Objects.requireNonNull(hashes[i], "boot hash " + i);
            hi[i] = h.hi();
            lo[i] = h.lo();
            int found = find(h.hi(), h.lo());
            if (found >= 0) {
                canonical[i] = found;
            } else {
                canonical[i] = i;
                distinct++;
                int slot = slot(h.hi(), h.lo());
                while (table[slot] != 0) slot = (slot + 1) & mask;
                table[slot] = i + 1;
            }
        }
    }

    /** The canonical index of the boot hash equal to (hi, lo), or -1. */
    public int find(long h, long l) {
        for (int slot = slot(h, l); ; slot = (slot + 1) & mask) {
            int e = table[slot];
            if (e == 0) return -1;
            if (hi[e - 1] == h && lo[e - 1] == l) return e - 1;
        }
    }

    public int canonical(int i) {
        return canonical[i];
    }

    /** Number of different boot hashes. */
    public int distinct() {
        return distinct;
    }

    private int slot(long h, long l) {
        // Packet hashes are already uniform, but 4-byte ones have hi == 0, so mix both halves.
        long x = (h * 0x9E3779B97F4A7C15L) ^ l;
        x *= 0xC2B2AE3D27D4EB4FL;
        return (int) (x >>> 32) & mask;
    }
}
