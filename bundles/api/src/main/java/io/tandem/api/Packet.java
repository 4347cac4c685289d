package io.tandem.api;

/**
 * One captured frame as libpcap delivers it: capture time, length on the wire and the captured bytes.
 * The byte array is shared, never modified after capture (replicas and the analyzer read the same array).
 *
 * @param timestampMicros capture time in microseconds since the epoch
 * @param wireLength      the frame's original length (may exceed {@code data.length} when snaplen cut it)
 * @param data            the captured bytes
 */
public record Packet(long timestampMicros, int wireLength, byte[] data) {
    public Packet {
        if (data == null) throw new IllegalArgumentException("packet data is null");
        if (wireLength < data.length) throw new IllegalArgumentException("wire length " + wireLength + " < captured " + data.length);
    }

    public int capturedLength() {
        return data.length;
    }
}
