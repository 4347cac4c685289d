package io.tandem.analyzer.pipe.internal;

import java.util.Arrays;

/**
 * Which aligned-stream position each pcap record of a session holds. Positions are consecutive except where the
 * feeder dropped packets, so the map is kept as runs (first record, first position): memory grows with gaps, not
 * packets. Thread-safe (the feeder adds, the EVE reader looks up).
 */
public final class RecordIndex {
    /** Runs kept at most; beyond, the oldest half is forgotten (their alerts, long overdue, are counted unmapped). */
    static final int MAX_RUNS = 1 << 20;

    private long[] firstRecord = new long[16];
    private long[] firstPosition = new long[16];
    private int runs;
    private long records;
    private long lastPosition = -1;
    private long forgottenBelow;

    /** Appends the next record, holding {@code position}. */
    public synchronized void add(long position) {
        if (runs > 0 && position == lastPosition + 1) {
            // extends the last run
        } else {
            if (runs == firstRecord.length) {
                if (runs >= MAX_RUNS) {
                    int drop = runs / 2;
                    forgottenBelow = firstRecord[drop];
                    System.arraycopy(firstRecord, drop, firstRecord, 0, runs - drop);
                    System.arraycopy(firstPosition, drop, firstPosition, 0, runs - drop);
                    runs -= drop;
                } else {
                    firstRecord = Arrays.copyOf(firstRecord, runs * 2);
                    firstPosition = Arrays.copyOf(firstPosition, runs * 2);
                }
            }
            firstRecord[runs] = records;
            firstPosition[runs] = position;
            runs++;
        }
        records++;
        lastPosition = position;
    }

    /** @return the position of record {@code record} (0-based), or -1 when there is no such record (or it was forgotten) */
    public synchronized long position(long record) {
        if (record < forgottenBelow || record >= records || runs == 0) return -1;
        int i = Arrays.binarySearch(firstRecord, 0, runs, record);
        if (i < 0) i = -i - 2;
        return firstPosition[i] + (record - firstRecord[i]);
    }

    public synchronized long records() {
        return records;
    }

    /** @return the position of the last record, -1 when none */
    public synchronized long lastPosition() {
        return lastPosition;
    }
}
