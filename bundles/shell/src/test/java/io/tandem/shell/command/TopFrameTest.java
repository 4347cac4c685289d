package io.tandem.shell.command;

import io.tandem.api.ClusterParameters;
import io.tandem.api.PeerInfo;
import io.tandem.api.ReplicaSnapshot;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** One frame of tandem:top: the replica's header, every counter with its rate, the peers. */
class TopFrameTest {

    static ReplicaSnapshot snapshot(long seen, long dropped, long recovered, long delivered) {
        Map<String, Long> n = new LinkedHashMap<>();
        n.put("capture.seen", seen);
        n.put("capture.random.dropped", dropped);
        n.put("capture.registered", seen - dropped);
        n.put("capture.source.dropped", 0L);
        n.put("queue.dropped.full", 0L);
        n.put("queue.held", 700L);
        n.put("sync.desync.level.max", 3L);
        n.put("sync.delivered", delivered);
        n.put("sync.recovered", recovered);
        n.put("sync.served", 5L);
        n.put("sync.rounds.synced", 100L);
        n.put("sync.rounds.mismatch", 7L);
        n.put("sync.rounds.no.anchor", 0L);
        return new ReplicaSnapshot("r1", true, "running", null, ClusterParameters.DEFAULTS, 1, List.of("r1", "r2"),
                List.of(new PeerInfo("r2", "127.0.0.1", 4001, true, 9_000)), 1234, 1, 700, 262144, 19_990, 19_980,
                "ordinary at 20000 packets/s", "2000", null, "rules: analyzing", n);
    }

    @Test
    void aFrameShowsRoleStateCountersAndRates() {
        ReplicaSnapshot before = snapshot(100_000, 2_000, 1_990, 99_000);
        ReplicaSnapshot now = snapshot(120_000, 2_400, 2_390, 119_000);
        String frame = String.join("\n", TopFrame.render(now, before, 1.0, 10_000, true));
        assertTrue(frame.startsWith("tandem:top  r1 (leader)  running  "), frame);
        assertTrue(frame.contains("q: quit"), frame);
        assertTrue(frame.contains("k=56 l=4 hash=md5 snippet=128, mode 1"), frame);
        assertTrue(frame.contains("members    r1, r2"), frame);
        assertTrue(frame.contains("round      1234   desync level 1 (max 3)"), frame);
        assertTrue(frame.contains("queue      700 of 262144 packets (0.3 %)"), frame);
        assertTrue(frame.matches("(?s).*captured\\s+120000\\s+20000\n.*"), frame);
        assertTrue(frame.matches("(?s).*random dropped\\s+2400\\s+400\n.*"), frame);
        assertTrue(frame.matches("(?s).*recovered from peers\\s+2390\\s+400\n.*"), frame);
        assertTrue(frame.matches("(?s).*delivered\\s+119000\\s+20000\n.*"), frame);
        assertTrue(frame.matches("(?s).*r2\\s+127.0.0.1:4001\\s+yes\\s+1.0 s ago\\s+yes.*"), frame);
        assertFalse(frame.contains("\u001B"), "no escapes in the frame itself");
    }

    @Test
    void theFirstFrameTakesTheReplicasOwnRates() {
        String frame = String.join("\n", TopFrame.render(snapshot(120_000, 2_400, 2_390, 119_000), null, 0, 10_000, false));
        assertFalse(frame.contains("q: quit"), frame);
        assertTrue(frame.matches("(?s).*captured\\s+120000\\s+19990\n.*"), frame);
        assertTrue(frame.matches("(?s).*delivered\\s+119000\\s+19980\n.*"), frame);
        assertTrue(frame.matches("(?s).*random dropped\\s+2400\\s+-\n.*"), frame);
    }
}
