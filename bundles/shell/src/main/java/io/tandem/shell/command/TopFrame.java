package io.tandem.shell.command;

import io.tandem.api.ClusterParameters;
import io.tandem.api.PeerInfo;
import io.tandem.api.ReplicaSnapshot;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One screen of {@code tandem:top} (the thesis's curses view, section 4.2.2): who the replica is, where the
 * cluster stands, and each counter with its rate per second since the previous frame. Plain text, no escapes.
 */
final class TopFrame {
    /** The counters shown, in order, as (counter name, label). */
    static final String[][] ROWS = {
            {"capture.seen", "captured"},
            {"capture.random.dropped", "random dropped"},
            {"capture.source.dropped", "libpcap dropped"},
            {"queue.dropped.full", "queue full dropped"},
            {"sync.recovered", "recovered from peers"},
            {"sync.served", "served to peers"},
            {"sync.delivered", "delivered"},
            {"sync.rounds.synced", "rounds in sync"},
            {"sync.rounds.mismatch", "rounds mismatched"},
            {"sync.rounds.no.anchor", "rounds without anchor"},
    };
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private TopFrame() {
    }

    /**
     * @param now            the snapshot to show
     * @param before         the previous frame's snapshot, or null: rates then come from the replica's own sampling
     *                       (captured, delivered) or are shown as "-"
     * @param secondsBetween seconds from {@code before} to {@code now}
     * @param nowMillis      wall clock, for "last seen" and the time in the header
     */
    static List<String> render(ReplicaSnapshot now, ReplicaSnapshot before, double secondsBetween, long nowMillis, boolean live) {
        List<String> out = new ArrayList<>();
        ClusterParameters p = now.parameters();
        out.add(String.format(Locale.ROOT, "tandem:top  %s (%s)  %s  %s%s", now.id().isEmpty() ? "-" : now.id(), now.leader() ? "leader" : "follower",
                now.state() + (now.failure() != null ? ": " + now.failure() : ""), LocalTime.now().format(CLOCK), live ? "    q: quit" : ""));
        out.add(String.format(Locale.ROOT, "cluster    k=%d l=%d hash=%s snippet=%d, mode %d", p.clusterSize(), p.anchorSize(), p.hashName(), p.snippet(), now.mode()));
        out.add(String.format(Locale.ROOT, "members    %s", members(now)));
        Long maxDesync = now.counters().get("sync.desync.level.max");
        out.add(String.format(Locale.ROOT, "round      %d   desync level %d%s", now.round(), now.desyncLevel(), maxDesync == null ? "" : " (max " + maxDesync + ")"));
        out.add(String.format(Locale.ROOT, "queue      %d of %d packets (%.1f %%)", now.queueHeld(), now.queueCapacity(),
                now.queueCapacity() == 0 ? 0.0 : 100.0 * now.queueHeld() / now.queueCapacity()));
        out.add(String.format(Locale.ROOT, "drop       %s   hash log %s", now.randomDrop().isEmpty() ? "-" : now.randomDrop(), now.hashLog() == null ? "off" : now.hashLog()));
        out.add("");
        out.add(String.format(Locale.ROOT, "%-22s %14s %12s", "", "total", "per second"));
        for (String[] row : ROWS) {
            Long v = now.counters().get(row[0]);
            if (v == null) continue;
            out.add(String.format(Locale.ROOT, "%-22s %14d %12s", row[1], v, rate(row[0], v, now, before, secondsBetween)));
        }
        out.add("");
        if (now.peers().isEmpty()) {
            out.add("peers      none" + (now.state().equals("left") ? " (this replica left the cluster)" : now.leader() ? "" : " (not connected to the leader yet)"));
        } else {
            out.add(String.format(Locale.ROOT, "%-20s %-24s %-10s %-12s %s", "peer", "address", "connected", "last seen", "member"));
            for (PeerInfo peer : now.peers()) {
                String seen = peer.lastSeenMillis() <= 0 ? "never" : String.format(Locale.ROOT, "%.1f s ago", (nowMillis - peer.lastSeenMillis()) / 1000.0);
                out.add(String.format(Locale.ROOT, "%-20s %-24s %-10s %-12s %s", peer.id(), peer.host() + ":" + peer.port(),
                        peer.connected() ? "yes" : "no", seen, now.members().contains(peer.id()) ? "yes" : "no"));
            }
        }
        return out;
    }

    /** The members line: who takes part and in which view, or why nobody is shown. */
    static String members(ReplicaSnapshot s) {
        if (s.state().equals("left")) return "(none: this replica left the cluster; tandem:join takes it back in)";
        if (s.members().isEmpty()) return "(not bootstrapped)";
        Long view = s.counters().get("sync.view");
        return String.join(", ", s.members()) + (view == null ? "" : " (view " + view + ")");
    }

    private static String rate(String name, long value, ReplicaSnapshot now, ReplicaSnapshot before, double seconds) {
        Long prev = before == null ? null : before.counters().get(name);
        if (prev != null && seconds > 0) return String.format(Locale.ROOT, "%.0f", Math.max(0, value - prev) / seconds);
        if (name.equals("capture.seen")) return String.format(Locale.ROOT, "%.0f", now.capturePps());
        if (name.equals("sync.delivered")) return String.format(Locale.ROOT, "%.0f", now.deliveredPps());
        return "-";
    }
}
