package io.tandem.capture;

import io.tandem.api.Packet;
import io.tandem.api.PacketSource;
import io.tandem.capture.internal.LinkTypes;
import io.tandem.capture.internal.PcapDumpBatch;
import io.tandem.capture.internal.PcapWaiter;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.RawPacketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A replica's live capture: frames from a network interface through libpcap (pcap4j 1.8.2), handed out as raw
 * bytes, never decoded.
 *
 * <p>Opening fails with an {@link IOException} whose one-line message says what is wrong (no such interface,
 * interface down, permission denied, bad BPF filter with libpcap's reason, unsupported link type): a replica
 * reports it and stays up.
 *
 * <p>{@link #next()} and {@link #nextBatch} block until a frame arrives and return null / 0 only once the source
 * is closed. Frames are read in batches: one native call hands over every frame that is ready (see
 * {@link PcapDumpBatch}), falling back to pcap4j's dispatch with a listener where that is unavailable. A batch
 * never waits to fill up. The handle is non-blocking; an idle reader waits in poll() ({@link PcapWaiter}) and
 * looks for an interrupt after every read timeout.
 *
 * <p>One thread reads; {@link #close()} and {@link #stats()} may be called from any thread. Closing wakes a
 * waiting reader at once and waits for it to leave libpcap before the handle is freed.
 */
public final class LiveCaptureSource implements PacketSource {
    private static final Logger LOG = LoggerFactory.getLogger(LiveCaptureSource.class);
    /** Largest batch read in one native call. */
    static final int BATCH = 1024;
    /** libpcap's return codes (pcap/pcap.h). */
    private static final int PCAP_ERROR_BREAK = -2;
    private static final int PCAP_ERROR_NO_SUCH_DEVICE = -5;
    private static final int PCAP_ERROR_PERM_DENIED = -8;
    private static final int PCAP_ERROR_IFACE_NOT_UP = -9;
    private static final int PCAP_ERROR_PROMISC_PERM_DENIED = -11;

    /** How frames leave libpcap; package-private so a benchmark can compare them. */
    enum ReadMethod {
        /** pcap_dispatch into libpcap's pcap_dump writing to native memory: no Java call per frame. */
        DUMP_BATCH,
        /** pcap4j's dispatch with a RawPacketListener: one JNA callback per frame. */
        LISTENER,
        /** pcap4j's getNextRawPacketEx: one JNA call (and structure allocation) per frame; never batches. */
        NEXT_RAW
    }

    private final LiveCaptureSettings settings;
    private final PcapHandle handle;
    private final int linkType;
    private final ReadMethod method;
    private final PcapDumpBatch dumpBatch;
    /** Null where unavailable: then libpcap's blocking read waits (and only close() ends an idle wait). */
    private final PcapWaiter waiter;
    /** Read lock: a thread inside libpcap with the handle; write lock: closing it. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    // reader thread only
    private final Packet[] pending = new Packet[BATCH];
    private int pendingStart;
    private int pendingEnd;
    private final int[] storedBeforeError = new int[1];
    private IOException failure;

    private volatile boolean closed;
    private volatile long delivered;
    private volatile LiveCaptureStats finalStats;

    private LiveCaptureSource(LiveCaptureSettings settings, PcapHandle handle, int linkType, ReadMethod method, PcapDumpBatch dumpBatch,
                              PcapWaiter waiter) {
        this.settings = settings;
        this.handle = handle;
        this.linkType = linkType;
        this.method = method;
        this.dumpBatch = dumpBatch;
        this.waiter = waiter;
    }

    /**
     * Opens the interface and starts capturing (frames are buffered by the kernel from here on).
     *
     * @throws IOException one line: {@code capture: no such interface 'eth9'}, {@code capture: bad filter 'xyz':
     *                     <libpcap's reason>}, {@code capture: permission denied ...}, ...
     */
    public static LiveCaptureSource open(LiveCaptureSettings settings) throws IOException {
        return open(settings, PcapDumpBatch.unavailableReason() == null ? ReadMethod.DUMP_BATCH : ReadMethod.LISTENER);
    }

    static LiveCaptureSource open(LiveCaptureSettings settings, ReadMethod method) throws IOException {
        String name = settings.interfaceName();
        String quoted = LiveCaptureSettings.quote(name);
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(name)
                    .snaplen(settings.snaplen())
                    .promiscuousMode(settings.promiscuous() ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                            : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .bufferSize(settings.bufferSize())
                    .immediateMode(settings.immediate())
                    .timeoutMillis(settings.timeoutMillis())
                    .timestampPrecision(PcapHandle.TimestampPrecision.MICRO)
                    .build();
        } catch (PcapNativeException e) {
            throw new IOException(openError(name, e), e);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new IOException("capture: cannot open " + quoted + ": libpcap is not usable: " + oneLine(e.toString()), e);
        }
        boolean ok = false;
        PcapDumpBatch batch = null;
        PcapWaiter waiter = null;
        try {
            int dlt = handle.getDlt().value();
            int lt = dlt == LinkTypes.DLT_RAW ? LinkTypes.RAW : dlt;
            if (!LinkTypes.supported(lt)) {
                throw new IOException("capture: interface " + quoted + " has link type " + LinkTypes.describe(dlt)
                        + ", which is not supported (supported: " + LinkTypes.supportedList() + ")");
            }
            if (!settings.filter().isEmpty()) {
                try {
                    handle.setFilter(settings.filter(), BpfProgram.BpfCompileMode.OPTIMIZE, PcapHandle.PCAP_NETMASK_UNKNOWN);
                } catch (PcapNativeException e) {
                    throw new IOException("capture: bad filter " + LiveCaptureSettings.quote(settings.filter()) + ": " + filterReason(e), e);
                }
            }
            if (method == ReadMethod.DUMP_BATCH) {
                try {
                    batch = PcapDumpBatch.open(handle, BATCH);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("capture on {}: {}; reading through pcap4j's dispatch instead", name, oneLine(e.getMessage()));
                    method = ReadMethod.LISTENER;
                }
            }
            try {
                waiter = PcapWaiter.open(handle);
            } catch (IOException | RuntimeException e) {
                LOG.warn("capture on {}: {}; libpcap's blocking read waits instead (an interrupt is noticed only with traffic)",
                        name, oneLine(e.getMessage()));
            }
            LiveCaptureSource s = new LiveCaptureSource(settings, handle, lt, method, batch, waiter);
            ok = true;
            LOG.info("capture opened: {}, link type {}, read by {}{}", settings.describe(), LinkTypes.describe(dlt), method,
                    waiter == null ? ", blocking" : ", polled");
            return s;
        } catch (NotOpenException e) {
            throw new IOException("capture: " + quoted + " closed while opening", e);
        } finally {
            if (!ok) {
                if (waiter != null) waiter.close();
                if (batch != null) batch.close();
                handle.close();
            }
        }
    }

    private static String openError(String name, PcapNativeException e) {
        String quoted = LiveCaptureSettings.quote(name);
        Integer rc = e.getReturnCode();
        String reason = oneLine(e.getMessage());
        if (rc != null) {
            switch (rc) {
                case PCAP_ERROR_NO_SUCH_DEVICE:
                    return "capture: no such interface " + quoted;
                case PCAP_ERROR_PERM_DENIED:
                    return "capture: permission denied capturing on " + quoted + " (needs root or CAP_NET_RAW and CAP_NET_ADMIN): " + reason;
                case PCAP_ERROR_PROMISC_PERM_DENIED:
                    return "capture: permission denied putting " + quoted + " in promiscuous mode (set promiscuous=false or grant it): " + reason;
                case PCAP_ERROR_IFACE_NOT_UP:
                    return "capture: interface " + quoted + " is down (ip link set " + name + " up)";
                default:
                    break;
            }
        }
        return "capture: cannot open " + quoted + ": " + reason;
    }

    /** libpcap's own words: pcap4j prefixes "Error occurred in pcap_compile: ". */
    private static String filterReason(PcapNativeException e) {
        String m = oneLine(e.getMessage());
        int colon = m.indexOf("pcap_compile: ");
        if (colon >= 0) return m.substring(colon + "pcap_compile: ".length());
        colon = m.indexOf("pcap_setfilter: ");
        if (colon >= 0) return m.substring(colon + "pcap_setfilter: ".length());
        return m;
    }

    private static String oneLine(String s) {
        if (s == null) return "";
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    /**
     * The next frame; blocks until one arrives. Returns null only once the source is closed (and then always).
     *
     * @throws IOException if libpcap fails reading (e.g. the interface disappeared); thrown again on every later call
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within the read timeout)
     */
    @Override
    public Packet next() throws IOException, InterruptedException {
        if (closed) return null;
        if (pendingStart == pendingEnd && !fill(pending.length)) return null;
        Packet p = pending[pendingStart];
        pending[pendingStart++] = null;
        delivered++;
        return p;
    }

    /**
     * Up to {@code max} frames: blocks for the first, then takes only frames already captured. Returns 0 only once
     * the source is closed (frames read but not yet handed out when it closes are discarded).
     */
    @Override
    public int nextBatch(Packet[] into, int max) throws IOException, InterruptedException {
        int want = Math.min(max, into.length);
        if (want <= 0 || closed) return 0;
        if (pendingStart == pendingEnd && !fill(want)) return 0;
        int n = Math.min(want, pendingEnd - pendingStart);
        System.arraycopy(pending, pendingStart, into, 0, n);
        Arrays.fill(pending, pendingStart, pendingStart + n, null);
        pendingStart += n;
        delivered += n;
        return n;
    }

    /** Reads at least one frame into {@link #pending}; false once closed. */
    private boolean fill(int max) throws IOException, InterruptedException {
        if (failure != null) throw failure;
        pendingStart = 0;
        pendingEnd = 0;
        while (true) {
            if (closed) return false;
            if (Thread.interrupted()) throw new InterruptedException("capture on " + settings.interfaceName() + " interrupted");
            lock.readLock().lock();
            try {
                if (closed) return false;
                int n = readOnce(max);
                if (n > 0) {
                    pendingEnd = n;
                    return true;
                }
                // nothing ready: wait for the socket, a wake-up from close() or the timeout
                if (waiter != null && !closed) waiter.await(settings.timeoutMillis());
            } finally {
                lock.readLock().unlock();
            }
        }
    }

    /** One read by {@link #method}, under the read lock: frames stored in pending, 0 after a timeout or a break. */
    private int readOnce(int max) throws IOException {
        switch (method) {
            case DUMP_BATCH: {
                int rc = dumpBatch.dispatch(pending, max, storedBeforeError);
                if (rc >= 0) return rc;
                if (rc == PCAP_ERROR_BREAK) return closed ? 0 : storedBeforeError[0];
                if (closed) return 0;
                throw fail("capture: reading " + LiveCaptureSettings.quote(settings.interfaceName()) + " failed: " + oneLine(dumpBatch.error()));
            }
            case LISTENER: {
                int[] n = {0};
                RawPacketListener listener = data -> pending[n[0]++] = packet(data);
                try {
                    handle.dispatch(Math.min(max, pending.length), listener);
                } catch (InterruptedException e) {
                    // pcap4j's word for pcap_breakloop; the frames stored before it are kept
                    return closed ? 0 : n[0];
                } catch (PcapNativeException | NotOpenException e) {
                    if (closed) return 0;
                    throw fail("capture: reading " + LiveCaptureSettings.quote(settings.interfaceName()) + " failed: " + oneLine(e.getMessage()));
                }
                return n[0];
            }
            case NEXT_RAW: {
                try {
                    pending[0] = packet(handle.getNextRawPacketEx());
                    return 1;
                } catch (TimeoutException e) {
                    return 0;
                } catch (EOFException | PcapNativeException | NotOpenException e) {
                    if (closed) return 0;
                    throw fail("capture: reading " + LiveCaptureSettings.quote(settings.interfaceName()) + " failed: " + oneLine(e.getMessage()));
                }
            }
            default:
                throw new AssertionError(method);
        }
    }

    /** A frame pcap4j just handed over on this thread (its timestamp and length are thread-local). */
    private Packet packet(byte[] data) {
        Timestamp ts = handle.getTimestamp();
        long micros = Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1000;
        Integer original = handle.getOriginalLength();
        return new Packet(micros, original == null ? data.length : Math.max(original, data.length), data);
    }

    private IOException fail(String message) {
        failure = new IOException(message);
        LOG.error("{}", message);
        return failure;
    }

    /**
     * libpcap's counters now (or as they were when the source was closed), and the frames delivered. Any thread.
     */
    public LiveCaptureStats stats() {
        LiveCaptureStats last = finalStats;
        if (last != null) return last;
        lock.readLock().lock();
        try {
            if (finalStats != null) return finalStats;
            if (!handle.isOpen()) return new LiveCaptureStats(0, 0, 0, delivered);
            return readStats();
        } finally {
            lock.readLock().unlock();
        }
    }

    private LiveCaptureStats readStats() {
        synchronized (handle) { // pcap_stats accumulates into the handle: one caller at a time
            try {
                PcapStat s = handle.getStats();
                return new LiveCaptureStats(s.getNumPacketsReceived(), s.getNumPacketsDropped(), s.getNumPacketsDroppedByIf(), delivered);
            } catch (PcapNativeException | NotOpenException e) {
                LOG.warn("capture on {}: no statistics: {}", settings.interfaceName(), oneLine(e.getMessage()));
                return new LiveCaptureStats(0, 0, 0, delivered);
            }
        }
    }

    /** The settings this source was opened with. */
    public LiveCaptureSettings settings() {
        return settings;
    }

    /** The interface's link type as a pcap file header value (LINKTYPE_*; raw IP is 101). */
    public int linkType() {
        return linkType;
    }

    /** Frames handed out so far. */
    public long delivered() {
        return delivered;
    }

    String readMethod() {
        return method.name();
    }

    /** True when an idle reader waits in poll() (non-blocking handle), false when in libpcap's blocking read. */
    boolean polled() {
        return waiter != null;
    }

    @Override
    public String describe() {
        return "live capture on " + settings.describe() + ", link type " + LinkTypes.describe(linkType);
    }

    /**
     * Stops capturing and frees the handle; safe from any thread and more than once. A read blocked in libpcap
     * returns at once (pcap_breakloop) and the reader then gets null / 0. The final counters stay readable
     * through {@link #stats()}.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (waiter != null) waiter.wake();
        try {
            handle.breakLoop();
        } catch (NotOpenException e) {
            // already closed
        }
        lock.writeLock().lock();
        try {
            if (finalStats != null) return;
            finalStats = readStats();
            if (waiter != null) waiter.close();
            if (dumpBatch != null) dumpBatch.close();
            handle.close();
            LOG.info("capture on {} closed: {}", settings.interfaceName(), finalStats);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
