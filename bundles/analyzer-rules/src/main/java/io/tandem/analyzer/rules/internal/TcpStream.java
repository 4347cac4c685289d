package io.tandem.analyzer.rules.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * One direction of a TCP connection, reassembled by sequence number. Bytes are placed by stream offset (bytes since
 * the first sequence number seen); the first copy of a byte wins (a retransmission or overlap never rewrites bytes
 * already delivered, nor bytes of a segment already waiting), so the result depends only on the packet sequence.
 * Segments beyond a hole wait (bounded); the hole is given up — a gap — when the receiver acknowledges past it
 * (the data was lost before us, it will not come) or when the waiting bytes exceed their bound. Content never
 * matches across a gap: the window of recent bytes restarts after it.
 */
public final class TcpStream {
    /** What to do with reassembled bytes: window[from, to) are new, window[0, from) are the kept older ones. */
    public interface Sink {
        void data(TcpStream s, byte[] window, int from, int to);

        void gap(TcpStream s);
    }

    private final int keep;
    private final int maxWaiting;
    private final long depth;

    private boolean started;
    /** Sequence number of the next byte expected, as an unsigned 32-bit value. */
    private long nextSeq;
    /** Stream offset of the next byte expected. */
    private long end;
    private byte[] window = new byte[0];
    private int windowLen;
    /** Stream offset of window[0]. */
    private long windowOrigin;
    private final TreeMap<Long, byte[]> waiting = new TreeMap<>();
    private int waitingBytes;
    private boolean finished;
    public long gaps, gapBytes, retransmitted, beyondDepth;
    /**
     * The stream prefilter's state after the bytes it last scanned, which end at stream offset prefilterEnd (-1:
     * none) and which it has scanned without a break since stream offset prefilterStart (see Inspector).
     */
    int prefilterState;
    long prefilterStart, prefilterEnd = -1;

    public TcpStream(int keep, int maxWaiting, long depth) {
        this.keep = keep;
        this.maxWaiting = maxWaiting;
        this.depth = depth;
    }

    public boolean started() {
        return started;
    }

    public long end() {
        return end;
    }

    public long windowOrigin() {
        return windowOrigin;
    }

    public boolean finished() {
        return finished;
    }

    /** A SYN: its sequence number is the initial one and the first data byte is the next. */
    public void syn(long seq) {
        if (started) return;
        started = true;
        nextSeq = (seq + 1) & 0xffffffffL;
    }

    public void fin() {
        finished = true;
    }

    /** A data segment; with {@code midstream} a stream not started yet starts at this segment. */
    public void segment(long seq, byte[] data, int off, int len, Sink sink) {
        if (len <= 0) return;
        if (!started) {
            started = true;
            nextSeq = seq;
        }
        long at = end + (int) (seq - nextSeq); // signed 32-bit distance survives sequence wrap-around
        if (at + len <= end) {
            retransmitted += len;
            return;
        }
        if (at < end) {
            int skip = (int) (end - at);
            retransmitted += skip;
            off += skip;
            len -= skip;
            at = end;
        }
        if (at == end) {
            deliver(data, off, len, sink);
            return;
        }
        byte[] copy = java.util.Arrays.copyOfRange(data, off, off + len);
        byte[] old = waiting.get(at);
        if (old != null) {
            if (old.length >= len) {
                retransmitted += len;
                return;
            }
            System.arraycopy(old, 0, copy, 0, old.length); // first copy wins over the bytes both hold
            waitingBytes -= old.length;
        }
        waiting.put(at, copy);
        waitingBytes += copy.length;
        if (waitingBytes > maxWaiting) skipGap(waiting.firstKey(), sink);
    }

    /** The other side acknowledged up to {@code ack}: bytes before it that we do not hold will never come. */
    public void acked(long ack, Sink sink) {
        if (!started) return;
        int ahead = (int) (ack - nextSeq);
        if (ahead <= 0) return;
        long ackedTo = end + ahead;
        Map.Entry<Long, byte[]> first = waiting.firstEntry();
        skipGap(first != null && first.getKey() < ackedTo ? first.getKey() : ackedTo, sink);
    }

    private void skipGap(long to, TcpStream.Sink sink) {
        gaps++;
        gapBytes += to - end;
        nextSeq = (nextSeq + (to - end)) & 0xffffffffL;
        end = to;
        windowOrigin = end;
        windowLen = 0;
        sink.gap(this);
        drain();
        emit(sink, 0);
    }

    private void deliver(byte[] data, int off, int len, Sink sink) {
        // keep at most `keep` older bytes in front of the new ones: a match may start that far back
        if (windowLen > keep) {
            int drop = windowLen - keep;
            System.arraycopy(window, drop, window, 0, keep);
            windowLen = keep;
            windowOrigin += drop;
        }
        int from = windowLen;
        append(data, off, len);
        drain();
        emit(sink, from);
    }

    /** Hands window[from, windowLen) on, less any bytes past the reassembly depth. */
    private void emit(Sink sink, int from) {
        int to = windowLen;
        if (depth > 0 && end > depth) {
            long over = Math.min(end - depth, windowLen - from);
            beyondDepth += over;
            to = (int) (windowLen - over);
        }
        if (to > from) sink.data(this, window, from, to);
    }

    private void append(byte[] data, int off, int len) {
        if (window.length < windowLen + len) window = java.util.Arrays.copyOf(window, Math.max(windowLen + len, window.length * 2));
        System.arraycopy(data, off, window, windowLen, len);
        windowLen += len;
        end += len;
        nextSeq = (nextSeq + len) & 0xffffffffL;
    }

    /** Appends waiting segments that now follow on. */
    private void drain() {
        while (!waiting.isEmpty()) {
            Map.Entry<Long, byte[]> e = waiting.firstEntry();
            long at = e.getKey();
            byte[] b = e.getValue();
            if (at > end) break;
            waiting.pollFirstEntry();
            waitingBytes -= b.length;
            int skip = (int) (end - at);
            if (skip >= b.length) {
                retransmitted += b.length;
                continue;
            }
            retransmitted += skip;
            append(b, skip, b.length - skip);
        }
    }

    public int waitingBytes() {
        return waitingBytes;
    }

    public int windowBytes() {
        return window.length;
    }
}
