package io.tandem.hashdb.internal;

import io.tandem.api.PacketHash;

import java.util.Objects;

/** Bob Jenkins' one-at-a-time hash, 4 bytes (value in the low 32 bits of {@code lo}). */
public class OneAtATimeHashFunction extends NamedHashFunction {
    public static final String NAME = "one-at-a-time";

    public OneAtATimeHashFunction() {
        super(NAME, 4);
    }

    @Override
    public PacketHash hash(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        int h = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            h += data[i] & 0xff;
            h += h << 10;
            h ^= h >>> 6;
        }
        h += h << 3;
        h ^= h >>> 11;
        h += h << 15;
        return new PacketHash(0, h & 0xffffffffL);
    }
}
