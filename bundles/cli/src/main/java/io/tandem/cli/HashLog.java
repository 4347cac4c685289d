package io.tandem.cli;

import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.SyncListener;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The aligned stream of one replica as hashes (thesis -h): kept in memory for comparison and, when a file is
 * given, written one hex hash per line in delivered order.
 */
final class HashLog implements SyncListener {
    private final int hashLength;
    private final BufferedWriter out;
    private long[] hi = new long[1 << 16];
    private long[] lo = new long[1 << 16];
    private int size;
    private final boolean keep;

    HashLog(int hashLength, Path file, boolean keep) throws IOException {
        this.hashLength = hashLength;
        this.keep = keep;
        this.out = file == null ? null : Files.newBufferedWriter(file);
    }

    @Override
    public void onDelivered(long position, PacketHash hash, Packet packet) {
        add(hash);
    }

    void add(PacketHash hash) {
        if (keep || size == 0) {
            if (size == hi.length) {
                hi = Arrays.copyOf(hi, size * 2);
                lo = Arrays.copyOf(lo, size * 2);
            }
            hi[size] = hash.hi();
            lo[size] = hash.lo();
        }
        size++;
        if (out != null) {
            try {
                out.write(hash.toHex(hashLength));
                out.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException("hash log: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void onEnd() {
        close();
    }

    void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("hash log: " + e.getMessage(), e);
            }
        }
    }

    int size() {
        return size;
    }

    long hi(int i) {
        return hi[i];
    }

    long lo(int i) {
        return lo[i];
    }

    boolean sameAs(HashLog other) {
        if (size != other.size) return false;
        for (int i = 0; i < size; i++) if (hi[i] != other.hi[i] || lo[i] != other.lo[i]) return false;
        return true;
    }

    /**
     * Lines {@code diff} would print between this log and {@code other}: |a| + |b| - 2 * matched, where entries are
     * matched greedily in order, a match being looked for at most {@code reach} entries ahead (losses and the
     * local reorderings of a merge stay well within it). Exact when one log is a subsequence of the other.
     */
    int diffLines(HashLog other, int reach) {
        int i = 0;
        int j = 0;
        int matched = 0;
        while (i < size && j < other.size) {
            if (hi[i] == other.hi[j] && lo[i] == other.lo[j]) {
                matched++;
                i++;
                j++;
                continue;
            }
            int skipA = find(this, i, other.hi[j], other.lo[j], reach);
            int skipB = find(other, j, hi[i], lo[i], reach);
            if (skipA < 0 && skipB < 0) {
                i++;
                j++;
            } else if (skipB < 0 || (skipA >= 0 && skipA - i <= skipB - j)) {
                i = skipA;
            } else {
                j = skipB;
            }
        }
        return size + other.size - 2 * matched;
    }

    /**
     * Compares contents regardless of order: {@code [missing, extra]}, the entries of {@code source} this log
     * lacks and the entries it holds beyond those of {@code source} (a packet delivered twice), counted per hash.
     */
    long[] missingAndExtra(HashLog source) {
        Map<PacketHash, Integer> balance = new HashMap<>();
        for (int i = 0; i < source.size; i++) balance.merge(new PacketHash(source.hi[i], source.lo[i]), 1, Integer::sum);
        for (int i = 0; i < size; i++) balance.merge(new PacketHash(hi[i], lo[i]), -1, Integer::sum);
        long missing = 0;
        long extra = 0;
        for (int b : balance.values()) {
            if (b > 0) missing += b;
            else extra -= b;
        }
        return new long[]{missing, extra};
    }

    private static int find(HashLog log, int from, long h, long l, int reach) {
        int end = (int) Math.min(log.size, (long) from + reach);
        for (int x = from; x < end; x++) if (log.hi[x] == h && log.lo[x] == l) return x;
        return -1;
    }
}
