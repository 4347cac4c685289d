package io.tandem.hashdb.internal;

import io.tandem.api.PacketHash;

import java.util.Objects;

/**
 * MurmurHash3_x64_128 (Austin Appleby's reference algorithm), seed 0, 16 bytes. The hash bytes are the reference
 * output (h1 then h2, each little-endian), so {@link PacketHash#toHex} prints what other implementations print.
 */
public class Murmur3HashFunction extends NamedHashFunction {
    public static final String NAME = "murmur3";

    public Murmur3HashFunction() {
        super(NAME, 16);
    }

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    @Override
    public PacketHash hash(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        long h1 = 0;
        long h2 = 0;
        int end = offset + (length & ~15);
        for (int i = offset; i < end; i += 16) {
            long k1 = Bytes.longLE(data, i);
            long k2 = Bytes.longLE(data, i + 8);
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27);
            h1 += h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31);
            h2 += h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        long k1 = 0;
        long k2 = 0;
        int t = end;
        // The reference switch falls through from the highest tail byte down.
        switch (length & 15) {
            case 15: k2 ^= (long) (data[t + 14] & 0xff) << 48;
            case 14: k2 ^= (long) (data[t + 13] & 0xff) << 40;
            case 13: k2 ^= (long) (data[t + 12] & 0xff) << 32;
            case 12: k2 ^= (long) (data[t + 11] & 0xff) << 24;
            case 11: k2 ^= (long) (data[t + 10] & 0xff) << 16;
            case 10: k2 ^= (long) (data[t + 9] & 0xff) << 8;
            case 9:
                k2 ^= data[t + 8] & 0xff;
                h2 ^= mixK2(k2);
            case 8: k1 ^= (long) (data[t + 7] & 0xff) << 56;
            case 7: k1 ^= (long) (data[t + 6] & 0xff) << 48;
            case 6: k1 ^= (long) (data[t + 5] & 0xff) << 40;
            case 5: k1 ^= (long) (data[t + 4] & 0xff) << 32;
            case 4: k1 ^= (long) (data[t + 3] & 0xff) << 24;
            case 3: k1 ^= (long) (data[t + 2] & 0xff) << 16;
            case 2: k1 ^= (long) (data[t + 1] & 0xff) << 8;
            case 1:
                k1 ^= data[t] & 0xff;
                h1 ^= mixK1(k1);
            default:
                break;
        }
        h1 ^= length;
        h2 ^= length;
        h1 += h2;
        h2 += h1;
        h1 = fmix64(h1);
        h2 = fmix64(h2);
        h1 += h2;
        h2 += h1;
        return new PacketHash(Long.reverseBytes(h1), Long.reverseBytes(h2));
    }

    private static long mixK1(long k1) {
        k1 *= C1;
        k1 = Long.rotateLeft(k1, 31);
        return k1 * C2;
    }

    private static long mixK2(long k2) {
        k2 *= C2;
        k2 = Long.rotateLeft(k2, 33);
        return k2 * C1;
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
