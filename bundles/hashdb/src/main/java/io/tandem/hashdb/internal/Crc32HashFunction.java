package io.tandem.hashdb.internal;

import io.tandem.api.PacketHash;

import java.util.zip.CRC32;

/** CRC-32 (java.util.zip, intrinsified), 4 bytes (value in the low 32 bits of {@code lo}). */
public class Crc32HashFunction extends NamedHashFunction {
    public static final String NAME = "crc32";

    public Crc32HashFunction() {
        super(NAME, 4);
    }

    @Override
    public PacketHash hash(byte[] data, int offset, int length) {
        // A CRC32 is a few fields; a fresh one per call is cheaper than a ThreadLocal lookup and reset.
        CRC32 crc = new CRC32();
        crc.update(data, offset, length);
        return new PacketHash(0, crc.getValue());
    }
}
