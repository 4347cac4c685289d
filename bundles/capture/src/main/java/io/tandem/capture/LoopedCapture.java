package io.tandem.capture;

import io.tandem.api.Packet;
import io.tandem.api.PacketSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One recorded capture fed to every replica in the same order, as often as wanted: the real captures are small
 * (thousands of packets), throughput and loss experiments need millions, and inventing synthetic traffic would
 * test the wrong thing.
 *
 * <p>The capture is read once into memory. Packet {@code i} of the looped stream is packet {@code i mod n} of the
 * capture, re-stamped by {@code loop * (span + 1 ms)} where {@code loop = i / n} and span is the capture's
 * duration, so that timestamps keep increasing across loops (time-based random drop and the analyzer's flow
 * timeouts see time moving on). Re-stamped packets share the original's bytes.
 *
 * <p>Thread-safe: the packet list is immutable; each {@link #cursor(long) cursor} is one replica's own reader.
 */
public final class LoopedCapture {
    /** Gap between the last packet of one loop and the first of the next. */
    public static final long LOOP_GAP_MICROS = 1000;

    private final List<Packet> packets;
    private final int linkType;
    private final String description;
    private final long firstMicros;
    private final long periodMicros;
    private volatile Packet[] preloaded = new Packet[0];

    /**
     * @param packets     the capture (copied into an immutable list; the packets themselves are shared)
     * @param linkType    the capture's pcap link type (see {@link PcapFileSource#linkType()})
     * @param description what the capture is, for logs
     */
    public LoopedCapture(List<Packet> packets, int linkType, String description) {
        this.packets = List.copyOf(packets);
        this.linkType = linkType;
        this.description = description;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (Packet p : this.packets) {
            min = Math.min(min, p.timestampMicros());
            max = Math.max(max, p.timestampMicros());
        }
        this.firstMicros = this.packets.isEmpty() ? 0 : this.packets.get(0).timestampMicros();
        // max - min equals last - first for a capture in time order; for one whose clock steps back it still
        // keeps every packet of a loop after every packet of the loop before
        this.periodMicros = (this.packets.isEmpty() ? 0 : max - min) + LOOP_GAP_MICROS;
    }

    /** Reads a pcap file or folder ({@link PcapFileSource}) into memory. */
    public static LoopedCapture load(Path fileOrFolder) throws IOException {
        try (PcapFileSource source = new PcapFileSource(fileOrFolder)) {
            return load(source);
        }
    }

    /**
     * Reads several pcap files or folders, one after another, into one loop: traffic of several kinds mixed (the
     * demo's everyday captures and attacks). They must share a link type.
     */
    public static LoopedCapture load(List<Path> filesOrFolders) throws IOException {
        if (filesOrFolders.isEmpty()) throw new IOException("no capture given");
        List<Packet> list = new ArrayList<>();
        int linkType = -1;
        List<String> described = new ArrayList<>();
        for (Path p : filesOrFolders) {
            LoopedCapture one = load(p);
            if (linkType >= 0 && one.linkType() != linkType) {
                throw new IOException(p + " has link type " + one.linkType() + " but " + filesOrFolders.get(0) + " has " + linkType + "; one loop needs one link type");
            }
            linkType = one.linkType();
            list.addAll(one.packets);
            described.add(one.describe());
        }
        return new LoopedCapture(list, linkType, String.join(" + ", described));
    }

    /** Reads {@code source} to its end (it stays open; the caller closes it); a read error fails the load. */
    public static LoopedCapture load(PcapFileSource source) throws IOException {
        List<Packet> list = new ArrayList<>();
        for (Packet p = source.next(); p != null; p = source.next()) list.add(p);
        return new LoopedCapture(list, source.linkType(), source.describe());
    }

    /** Packets in one loop (the capture's size). */
    public int size() {
        return packets.size();
    }

    public int linkType() {
        return linkType;
    }

    /** Time added per loop: the capture's span plus {@link #LOOP_GAP_MICROS}. */
    public long loopPeriodMicros() {
        return periodMicros;
    }

    /** Timestamp of the capture's first packet. */
    public long firstTimestampMicros() {
        return firstMicros;
    }

    /**
     * Builds the first {@code packets} packets of the looped stream once, so cursors hand out prepared packets
     * instead of re-stamping a copy per loop (benchmarks measure the sync, not this).
     */
    public synchronized void preload(long packets) {
        if (packets > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("cannot preload " + packets + " packets");
        Packet[] all = new Packet[(int) packets];
        for (int i = 0; i < all.length; i++) all[i] = restamped(i);
        preloaded = all;
    }

    /** Packet {@code i} of the endless looped stream, re-stamped (loop 0 returns the original packet). */
    public Packet get(long i) {
        Packet[] pre = preloaded;
        if (i >= 0 && i < pre.length) return pre[(int) i];
        return restamped(i);
    }

    private Packet restamped(long i) {
        int n = packets.size();
        if (n == 0) throw new IndexOutOfBoundsException("looped capture " + description + " is empty");
        if (i < 0) throw new IndexOutOfBoundsException("negative packet index " + i);
        Packet p = packets.get((int) (i % n));
        long loop = i / n;
        if (loop == 0) return p;
        return new Packet(p.timestampMicros() + loop * periodMicros, p.wireLength(), p.data());
    }

    /**
     * An independent reader of the first {@code packets} packets of the looped stream (none if the capture is
     * empty). Each replica gets its own cursor; all read the same shared packets in the same order.
     */
    public PacketSource cursor(long packets) {
        if (packets < 0) throw new IllegalArgumentException("packet count must be >= 0, not " + packets);
        return new Cursor(packets);
    }

    public String describe() {
        return "looped " + description + " (" + packets.size() + " packets per loop)";
    }

    @Override
    public String toString() {
        return describe();
    }

    private final class Cursor implements PacketSource {
        private final long limit;
        private final AtomicLong nextIndex = new AtomicLong();
        private volatile boolean closed;

        Cursor(long limit) {
            this.limit = packets.isEmpty() ? 0 : limit;
        }

        @Override
        public Packet next() {
            if (closed) return null;
            long i = nextIndex.getAndIncrement();
            if (i >= limit) {
                nextIndex.set(limit);
                return null;
            }
            return get(i);
        }

        @Override
        public int nextBatch(Packet[] into, int max) {
            if (closed) return 0;
            long from = nextIndex.getAndAdd(max);
            int n = (int) Math.max(0, Math.min(max, limit - from));
            if (n < max) nextIndex.set(limit);
            for (int j = 0; j < n; j++) into[j] = get(from + j);
            return n;
        }

        @Override
        public int linkType() {
            return linkType;
        }

        @Override
        public String describe() {
            return LoopedCapture.this.describe() + ", cursor of " + limit + " packets";
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
