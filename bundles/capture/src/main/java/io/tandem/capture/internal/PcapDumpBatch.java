package io.tandem.capture.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.tandem.api.Packet;
import io.tandem.capture.internal.LibpcapNatives.LibC;
import io.tandem.capture.internal.LibpcapNatives.Pcap;
import org.pcap4j.core.PcapHandle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Batched reading of an open libpcap handle with no Java call per packet: {@code pcap_dispatch} is given
 * libpcap's own {@code pcap_dump} as its callback and a dumper writing into native memory ({@code fmemopen}), so
 * one native call copies every packet that is ready (up to a count) into that memory as pcap records; Java then
 * parses the records. pcap4j's own ways cost one JNA call per packet ({@code getNextRawPacket}: ~6 µs a packet
 * here, because it allocates a JNA structure each time) or one JNA callback per packet ({@code dispatch} with a
 * listener: ~1-2 µs); this costs ~0.2 µs a packet, and a batch is never held back to fill up: pcap_dispatch waits
 * only for the first packet.
 *
 * <p>Needs the {@code pcap_t} pointer inside pcap4j's {@link PcapHandle} and the C library's {@code fmemopen}
 * ({@link LibpcapNatives}); {@link #unavailableReason()} says why not where either is missing, and the caller then
 * falls back to pcap4j's listener dispatch.
 *
 * <p>Not thread-safe, and the handle must stay open while this is used: the caller serializes
 * {@link #dispatch} and {@link #close()} against closing the handle.
 */
public final class PcapDumpBatch implements AutoCloseable {
    /** pcap_dump record header: ts_sec, ts_usec, caplen, len, 4 bytes each (host order). */
    private static final int RECORD_HEADER = 16;
    /** Upper bound of the native buffer, whatever the snaplen. */
    private static final int MAX_BUFFER = 4 << 20;
    private static final int SEEK_SET = 0;

    private final Pointer pcap;
    private final Memory memory;
    private final ByteBuffer view;
    private final Pointer file;
    private final Pointer dumper;
    private final int maxBatch;
    private boolean closed;

    private PcapDumpBatch(Pointer pcap, Memory memory, Pointer file, Pointer dumper, int maxBatch) {
        this.pcap = pcap;
        this.memory = memory;
        this.view = memory.getByteBuffer(0, memory.size()).order(ByteOrder.nativeOrder());
        this.file = file;
        this.dumper = dumper;
        this.maxBatch = maxBatch;
    }

    /** Null when batched reading works here, else why not (one line). */
    public static String unavailableReason() {
        return LibpcapNatives.UNAVAILABLE;
    }

    /**
     * @param handle an activated live (or offline) pcap4j handle; must outlive this object
     * @param largestBatch the most packets one {@link #dispatch} should take (fewer if the snaplen is large)
     */
    public static PcapDumpBatch open(PcapHandle handle, int largestBatch) throws IOException {
        Pointer p = LibpcapNatives.pcapT(handle);
        // libpcap clamps caplen to the snapshot (after re-inserting a VLAN tag); 8 bytes spare all the same
        int record = RECORD_HEADER + Math.max(Pcap.pcap_snapshot(p), 1) + 8;
        int batch = Math.max(1, Math.min(largestBatch, MAX_BUFFER / record));
        // room for the 24-byte file header pcap_dump_fopen writes first, and for the NUL fmemopen appends
        Memory memory = new Memory((long) batch * record + 64);
        Pointer f = LibC.fmemopen(memory, memory.size(), "w");
        if (f == null) throw new IOException("batched capture: fmemopen failed (errno " + Native.getLastError() + ")");
        Pointer d = Pcap.pcap_dump_fopen(p, f);
        if (d == null) {
            String err = LibpcapNatives.geterr(p);
            LibC.fclose(f);
            throw new IOException("batched capture: pcap_dump_fopen failed: " + err);
        }
        // drop the file header: records start at offset 0 of every batch
        LibC.fflush(f);
        LibC.fseek(f, 0, SEEK_SET);
        return new PcapDumpBatch(p, memory, f, d, batch);
    }

    /** The most packets one {@link #dispatch} takes. */
    public int maxBatch() {
        return maxBatch;
    }

    /**
     * One {@code pcap_dispatch}: waits (up to the handle's timeout) for the first packet, then takes every packet
     * ready, at most {@code max} (and {@link #maxBatch()}), into {@code into[0..]} as raw packets.
     *
     * @return packets stored (0 after a timeout); negative is libpcap's return code (-1 error, see
     *         {@link #error()}; -2 pcap_breakloop), in which case {@code stored[0]} says how many packets were
     *         still stored before it happened
     * @throws IOException if the records libpcap wrote are not what it said (never happens unless libpcap or
     *         the C library misbehaves; the packets are then lost and the caller should give up)
     */
    public int dispatch(Packet[] into, int max, int[] stored) throws IOException {
        int cnt = Math.max(1, Math.min(Math.min(max, into.length), maxBatch));
        int rc = Pcap.pcap_dispatch(pcap, cnt, LibpcapNatives.PCAP_DUMP, dumper);
        LibC.fflush(file);
        long end = LibC.ftell(file);
        boolean overflow = LibC.ferror(file) != 0;
        LibC.fseek(file, 0, SEEK_SET);
        if (overflow) throw new IOException("batched capture: dump buffer overflowed (" + memory.size() + " bytes for " + cnt + " packets)");
        int n = 0;
        int off = 0;
        while (off < end) {
            if (n == into.length || off + RECORD_HEADER > end) throw new IOException("batched capture: broken record at " + off + " of " + end);
            long sec = Integer.toUnsignedLong(view.getInt(off));
            long usec = Integer.toUnsignedLong(view.getInt(off + 4));
            int cap = view.getInt(off + 8);
            int len = view.getInt(off + 12);
            if (cap < 0 || off + RECORD_HEADER + (long) cap > end) throw new IOException("batched capture: record of " + cap + " bytes at " + off + " runs past " + end);
            byte[] data = new byte[cap];
            view.get(off + RECORD_HEADER, data);
            into[n++] = new Packet(sec * 1_000_000L + usec, Math.max(len, cap), data);
            off += RECORD_HEADER + cap;
        }
        if (rc >= 0) {
            if (rc != n) throw new IOException("batched capture: libpcap handed over " + rc + " packets but " + n + " were written");
            return n;
        }
        if (stored != null && stored.length > 0) stored[0] = n;
        return rc;
    }

    /** libpcap's last error message for the handle. */
    public String error() {
        return LibpcapNatives.geterr(pcap);
    }

    /** Closes the dumper and its memory stream; the pcap handle itself stays open (the caller closes it). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Pcap.pcap_dump_close(dumper);   // fclose()s the memory stream
        memory.close();
    }
}
