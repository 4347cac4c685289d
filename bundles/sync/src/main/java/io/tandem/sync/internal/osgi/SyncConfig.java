package io.tandem.sync.internal.osgi;

import io.tandem.api.ClusterParameters;
import io.tandem.sync.SyncSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The keys of config pid {@code io.tandem.sync} (see etc/io.tandem.sync.cfg).
 *
 * @param parameters cluster.size (k), anchor.size (l), hash, snippet: the cluster's, equal at every replica
 * @param bootPeers  boot.peers (w): the leader bootstraps once this many peers joined ...
 * @param bootWait   boot.wait (W, seconds): ... or after this long with whoever joined (0: no limit)
 * @param mode       optimistic mode (0: the sync thread captures what a round needs; 1: capture has its own thread)
 * @param rounds     stop after this many rounds (0: no limit)
 * @param hashLog    file the aligned stream's hashes are written to, one hex hash a line, or null
 * @param member     member: true (default) while this replica takes part; false once it left ({@code tandem:leave})
 *                   until it joins again ({@code tandem:join})
 * @param analyzer   analyzer: the {@code analyzer.name} of the Analyzer service the feeder feeds (default rules)
 * @param feederPackets feeder.queue.packets: packets the feeder's queue holds at most
 * @param feederBytes   feeder.queue.bytes: captured bytes the feeder's queue holds at most
 */
record SyncConfig(ClusterParameters parameters, int bootPeers, int bootWait, int mode, long rounds, Path hashLog, boolean member,
                  String analyzer, int feederPackets, long feederBytes) {
    static final String PID = "io.tandem.sync";

    /** @throws IllegalArgumentException naming the bad key and value */
    static SyncConfig parse(Map<String, ?> props) {
        ClusterParameters d = ClusterParameters.DEFAULTS;
        int k = (int) number(props, "cluster.size", d.clusterSize(), 2, 65536);
        int l = (int) number(props, "anchor.size", d.anchorSize(), 1, 65536);
        if (l > k) throw new IllegalArgumentException("anchor.size=" + l + ": must not exceed cluster.size (" + k + ")");
        String hash = text(props, "hash");
        int snippet = (int) number(props, "snippet", d.snippet(), 1, 65535);
        int mode = (int) number(props, "mode", 1, 0, 3);
        if (mode > 1) throw new IllegalArgumentException("mode=" + mode + ": modes 2 and 3 need the checkpoint controller, which this build does not have yet; use 0 or 1");
        String log = text(props, "hashlog");
        Path hashLog = null;
        if (!log.isEmpty()) {
            hashLog = Path.of(log);
            String base = System.getProperty("karaf.base");
            if (!hashLog.isAbsolute() && base != null) hashLog = Path.of(base).resolve(hashLog);
        }
        String analyzer = text(props, "analyzer");
        if (analyzer.isEmpty()) analyzer = "rules";
        if (!analyzer.matches("[A-Za-z0-9_.-]+")) throw new IllegalArgumentException("analyzer=" + analyzer + ": must be an analyzer name (letters, digits, . _ -)");
        String member = text(props, "member").toLowerCase(java.util.Locale.ROOT);
        if (!member.isEmpty() && !member.equals("true") && !member.equals("false")) {
            throw new IllegalArgumentException("member=" + text(props, "member") + ": must be true or false");
        }
        return new SyncConfig(new ClusterParameters(k, l, hash.isEmpty() ? d.hashName() : hash, snippet),
                (int) number(props, "boot.peers", 1, 0, 128), (int) number(props, "boot.wait", 0, 0, 86_400), mode,
                number(props, "rounds", 0, 0, Long.MAX_VALUE), hashLog, !member.equals("false"), analyzer,
                (int) number(props, "feeder.queue.packets", 65_536, 1, 1 << 26), number(props, "feeder.queue.bytes", 256L << 20, 1 << 16, 1L << 40));
    }

    SyncSettings settings(boolean leader) {
        SyncSettings s = leader ? SyncSettings.leader(bootPeers, bootWait * 1000L) : SyncSettings.follower();
        return s.withMode(mode).withRoundsLimit(rounds);
    }

    /** Cluster parameters that differ in {@code next}, as "key=new" with the running value; empty if none. */
    List<String[]> clusterChanges(SyncConfig next) {
        List<String[]> out = new ArrayList<>();
        ClusterParameters a = parameters, b = next.parameters;
        if (a.clusterSize() != b.clusterSize()) out.add(new String[] {"cluster.size", "" + b.clusterSize(), "" + a.clusterSize()});
        if (a.anchorSize() != b.anchorSize()) out.add(new String[] {"anchor.size", "" + b.anchorSize(), "" + a.anchorSize()});
        if (!a.hashName().equals(b.hashName())) out.add(new String[] {"hash", b.hashName(), a.hashName()});
        if (a.snippet() != b.snippet()) out.add(new String[] {"snippet", "" + b.snippet(), "" + a.snippet()});
        return out;
    }

    /** Keys other than the cluster's that only a new start of the replica can apply, same form. */
    List<String[]> startChanges(SyncConfig next) {
        List<String[]> out = new ArrayList<>();
        if (mode != next.mode) out.add(new String[] {"mode", "" + next.mode, "" + mode});
        if (bootPeers != next.bootPeers) out.add(new String[] {"boot.peers", "" + next.bootPeers, "" + bootPeers});
        if (bootWait != next.bootWait) out.add(new String[] {"boot.wait", "" + next.bootWait, "" + bootWait});
        if (rounds != next.rounds) out.add(new String[] {"rounds", "" + next.rounds, "" + rounds});
        if (feederPackets != next.feederPackets) out.add(new String[] {"feeder.queue.packets", "" + next.feederPackets, "" + feederPackets});
        if (feederBytes != next.feederBytes) out.add(new String[] {"feeder.queue.bytes", "" + next.feederBytes, "" + feederBytes});
        return out;
    }

    SyncConfig withHashLog(Path p) {
        return new SyncConfig(parameters, bootPeers, bootWait, mode, rounds, p, member, analyzer, feederPackets, feederBytes);
    }

    SyncConfig withAnalyzer(String name) {
        return new SyncConfig(parameters, bootPeers, bootWait, mode, rounds, hashLog, member, name, feederPackets, feederBytes);
    }

    boolean sameHashLog(SyncConfig o) {
        return Objects.equals(hashLog, o.hashLog);
    }

    /** The keys besides the cluster parameters, as in the cfg file. */
    @Override
    public String toString() {
        return "boot.peers=" + bootPeers + " boot.wait=" + bootWait + " mode=" + mode + " rounds=" + rounds + " hashlog=" + (hashLog == null ? "" : hashLog)
                + (member ? "" : " member=false") + " analyzer=" + analyzer + " feeder.queue.packets=" + feederPackets + " feeder.queue.bytes=" + feederBytes;
    }

    private static String text(Map<String, ?> props, String key) {
        Object v = props.get(key);
        return v == null ? "" : v.toString().trim();
    }

    private static long number(Map<String, ?> props, String key, long fallback, long min, long max) {
        String v = text(props, key);
        if (v.isEmpty()) return fallback;
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + "=" + v + ": must be a whole number " + min + ".." + max);
    }
}
