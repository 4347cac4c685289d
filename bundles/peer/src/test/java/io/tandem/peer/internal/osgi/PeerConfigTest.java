package io.tandem.peer.internal.osgi;

import io.tandem.api.ClusterParameters;
import io.tandem.peer.PeerSettings;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerConfigTest {

    @Test
    void theSecretHasNoDefault() {
        assertFalse(PeerConfig.parse(Map.of()).hasSecret());
        assertFalse(PeerConfig.parse(Map.of("secret", "  ")).hasSecret());
        assertTrue(PeerConfig.parse(Map.of("secret", "s")).hasSecret());
    }

    @Test
    void withoutLeaderHostThisReplicaLeads() {
        PeerConfig leader = PeerConfig.parse(Map.of("secret", "s", "replica.id", "r1"));
        assertTrue(leader.leader());
        PeerSettings s = leader.settingsFor(ClusterParameters.DEFAULTS);
        assertEquals("127.0.0.1", s.listenHost());
        assertEquals(4000, s.listenPort());
        assertFalse(s.hasLeader());

        PeerConfig follower = PeerConfig.parse(Map.of("secret", "s", "replica.id", "r2", "leader.host", "10.0.0.1", "leader.port", "4100",
                "heartbeat", "500"));
        assertFalse(follower.leader());
        PeerSettings f = follower.settingsFor(new ClusterParameters(100, 4, "crc32", 64));
        assertEquals("10.0.0.1", f.leaderHost());
        assertEquals(4100, f.leaderPort());
        assertEquals(500, f.heartbeatMillis());
        assertEquals(5000, f.peerTimeoutMillis());
        assertEquals(100, f.parameters().clusterSize());
        assertArrayEquals("s".getBytes(StandardCharsets.UTF_8), f.secret());
    }

    @Test
    void aBadValueNamesKeyAndValueButNeverShowsTheSecret() {
        assertEquals("listen.port=70000: must be a whole number 0..65535",
                assertThrows(IllegalArgumentException.class, () -> PeerConfig.parse(Map.of("listen.port", "70000"))).getMessage());
        assertEquals("peer.timeout=1500: must be at least twice heartbeat (1000)",
                assertThrows(IllegalArgumentException.class, () -> PeerConfig.parse(Map.of("peer.timeout", "1500"))).getMessage());
        String shown = PeerConfig.parse(Map.of("secret", "very-secret-value", "replica.id", "r1")).toString();
        assertFalse(shown.contains("very-secret-value"), shown);
    }
}
