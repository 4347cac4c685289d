package io.tandem.api;

/**
 * A packet hash function, published as an OSGi service with property {@code hash.name}. The built-ins are
 * md5 (default), murmur3 (128-bit x64), one-at-a-time (Jenkins) and crc32; a new one is a new bundle.
 * Implementations are thread-safe.
 */
public interface HashFunction {
    /** Service property naming the function; the value is {@link #name()}. */
    String NAME_PROPERTY = "hash.name";

    /** The name used in configuration and at login, e.g. "md5". */
    String name();

    /** Hash length in bytes: 16 or 4. */
    int length();

    /** Hash of {@code data[offset, offset + length)}. */
    PacketHash hash(byte[] data, int offset, int length);

    /** Hash of the first {@code snippet} bytes of a packet (the thesis hashed 56 bytes; Tandem defaults to 128). */
    default PacketHash hashPacket(Packet packet, int snippet) {
        byte[] d = packet.data();
        return hash(d, 0, Math.min(snippet, d.length));
    }
}
