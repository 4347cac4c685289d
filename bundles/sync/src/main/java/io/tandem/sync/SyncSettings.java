package io.tandem.sync;

/**
 * How one replica's sync engine runs (the thesis's command-line options; cluster-wide k, l, hash and snippet
 * are {@link io.tandem.api.ClusterParameters}, owned by the connection manager).
 *
 * @param leader          this replica bootstraps the cluster
 * @param bootPeers       w: the leader starts once this many peers have joined ...
 * @param bootWaitMillis  W: ... or after this long, with whoever joined (0: no time limit)
 * @param bootSize        m: boot hashes the leader sends (0: {@link SyncEngine#bootSize})
 * @param mode            optimistic mode: 0 (the sync thread captures) or 1 (capture has its own thread)
 * @param roundsLimit     stop after this many rounds (0: no limit; thesis -R)
 * @param speculation     rounds whose cluster hashes are pushed ahead while the current one is compared
 * @param maxDesyncLevel  past this desync level (and a window of about 2048 packets), a shorter anchor (down to 1 packet) is accepted
 * @param bootTimeoutMillis a non-leader gives up waiting for the leader's boot hashes after this long (0: never; a
 *                        cluster installed on a quiet link boots when the traffic comes, minutes or hours later)
 * @param windowLimit     on a mismatch, a replica's window takes what it already holds beyond the round, up to this
 *                        many packets: one exchange then aligns many rounds (k at least; (d+1)k at desync level d)
 */
public record SyncSettings(boolean leader, int bootPeers, long bootWaitMillis, int bootSize, int mode, long roundsLimit,
                           int speculation, int maxDesyncLevel, long bootTimeoutMillis, int windowLimit) {
    /** Default {@link #windowLimit}: a few dozen rounds of the default k; a window's hashes fit one small frame. */
    public static final int DEFAULT_WINDOW_LIMIT = 2048;

    public SyncSettings {
        if (bootPeers < 0 || bootPeers > 128) throw new IllegalArgumentException("boot.peers (w) must be 0..128, not " + bootPeers);
        if (bootWaitMillis < 0) throw new IllegalArgumentException("boot.wait (W) must be >= 0, not " + bootWaitMillis);
        if (bootSize < 0) throw new IllegalArgumentException("boot.size must be >= 0, not " + bootSize);
        if (mode < 0 || mode > 3) throw new IllegalArgumentException("optimistic mode must be 0..3, not " + mode);
        if (mode > 1) throw new IllegalArgumentException("optimistic mode " + mode + " needs the checkpoint controller, which this build does not have yet; use 0 or 1");
        if (roundsLimit < 0) throw new IllegalArgumentException("rounds must be >= 0, not " + roundsLimit);
        if (speculation < 1 || speculation > 1024) throw new IllegalArgumentException("speculation must be 1..1024, not " + speculation);
        if (maxDesyncLevel < 1) throw new IllegalArgumentException("max desync level must be >= 1, not " + maxDesyncLevel);
        if (bootTimeoutMillis < 0) throw new IllegalArgumentException("boot timeout must be >= 0, not " + bootTimeoutMillis);
        if (windowLimit < 1 || windowLimit > 1 << 16) throw new IllegalArgumentException("window limit must be 1..65536, not " + windowLimit);
    }

    public static SyncSettings leader(int bootPeers, long bootWaitMillis) {
        return new SyncSettings(true, bootPeers, bootWaitMillis, 0, 1, 0, 8, 16, 0, DEFAULT_WINDOW_LIMIT);
    }

    public static SyncSettings follower() {
        return new SyncSettings(false, 0, 0, 0, 1, 0, 8, 16, 0, DEFAULT_WINDOW_LIMIT);
    }

    public SyncSettings withMode(int m) {
        return new SyncSettings(leader, bootPeers, bootWaitMillis, bootSize, m, roundsLimit, speculation, maxDesyncLevel, bootTimeoutMillis, windowLimit);
    }

    public SyncSettings withWindowLimit(int w) {
        return new SyncSettings(leader, bootPeers, bootWaitMillis, bootSize, mode, roundsLimit, speculation, maxDesyncLevel, bootTimeoutMillis, w);
    }

    public SyncSettings withRoundsLimit(long r) {
        return new SyncSettings(leader, bootPeers, bootWaitMillis, bootSize, mode, r, speculation, maxDesyncLevel, bootTimeoutMillis, windowLimit);
    }
}
