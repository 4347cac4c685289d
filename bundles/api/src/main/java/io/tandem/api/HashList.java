package io.tandem.api;

/**
 * Consecutive packet hashes of one replica with the original number of each packet (the number it was
 * registered under, which does not change when recovered packets are inserted before it).
 * Arrays are owned by the list; callers do not modify them.
 */
public record HashList(long[] hi, long[] lo, long[] original) {
    public static final HashList EMPTY = new HashList(new long[0], new long[0], new long[0]);

    public HashList {
        if (hi.length != lo.length || lo.length != original.length) throw new IllegalArgumentException("array lengths differ");
    }

    public int size() {
        return hi.length;
    }

    public PacketHash hash(int i) {
        return new PacketHash(hi[i], lo[i]);
    }
}
