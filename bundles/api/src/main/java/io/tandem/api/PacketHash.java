package io.tandem.api;

/**
 * A packet hash (or cluster hash) of up to 16 bytes held as two longs: {@code hi} carries bytes 0..7 and
 * {@code lo} bytes 8..15, big-endian. A 4-byte function (crc32, one-at-a-time) leaves {@code hi == 0} and puts
 * its value in the low 32 bits of {@code lo}. Two hashes are the same packet for the algorithm iff equal.
 */
public record PacketHash(long hi, long lo) {

    /** Writes the first {@code length} bytes (16 or 4) big-endian into {@code out} at {@code offset}. */
    public void write(int length, byte[] out, int offset) {
        if (length == 16) {
            for (int i = 0; i < 8; i++) out[offset + i] = (byte) (hi >>> (56 - 8 * i));
            for (int i = 0; i < 8; i++) out[offset + 8 + i] = (byte) (lo >>> (56 - 8 * i));
        } else if (length == 4) {
            for (int i = 0; i < 4; i++) out[offset + i] = (byte) (lo >>> (24 - 8 * i));
        } else {
            throw new IllegalArgumentException("hash length must be 16 or 4, not " + length);
        }
    }

    /** Lower-case hex of the first {@code length} bytes, as written in hash logs. */
    public String toHex(int length) {
        return length == 16 ? String.format("%016x%016x", hi, lo) : String.format("%08x", lo & 0xffffffffL);
    }

    /** Parses what {@link #toHex(int)} wrote (32 or 8 hex digits). */
    public static PacketHash fromHex(String hex) {
        if (hex.length() == 32) {
            return new PacketHash(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
        }
        if (hex.length() == 8) return new PacketHash(0, Long.parseLong(hex, 16));
        throw new IllegalArgumentException("not a 32- or 8-digit hex hash: '" + hex + "'");
    }
}
