package io.tandem.sync.internal.osgi;

import io.tandem.api.ClusterParameters;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyncConfigTest {

    @Test
    void anEmptyConfigurationIsTheThesisDefaults() {
        SyncConfig c = SyncConfig.parse(Map.of());
        assertEquals(ClusterParameters.DEFAULTS, c.parameters());
        assertEquals(1, c.bootPeers());
        assertEquals(0, c.bootWait());
        assertEquals(1, c.mode());
        assertEquals(0, c.rounds());
        assertNull(c.hashLog());
        assertTrue(c.member());
    }

    @Test
    void memberIsTrueOrFalse() {
        assertTrue(!SyncConfig.parse(Map.of("member", "false")).member());
        assertTrue(SyncConfig.parse(Map.of("member", " TRUE ")).member());
        assertEquals("member=maybe: must be true or false",
                assertThrows(IllegalArgumentException.class, () -> SyncConfig.parse(Map.of("member", "maybe"))).getMessage());
        // leaving and joining is neither a cluster parameter nor a key that waits for the next start
        SyncConfig in = SyncConfig.parse(Map.of());
        SyncConfig out = SyncConfig.parse(Map.of("member", "false"));
        assertTrue(in.clusterChanges(out).isEmpty() && in.startChanges(out).isEmpty());
    }

    @Test
    void aBadValueIsRefusedNamingKeyAndValue() {
        assertEquals("cluster.size=abc: must be a whole number 2..65536",
                assertThrows(IllegalArgumentException.class, () -> SyncConfig.parse(Map.of("cluster.size", "abc"))).getMessage());
        assertEquals("anchor.size=60: must not exceed cluster.size (56)",
                assertThrows(IllegalArgumentException.class, () -> SyncConfig.parse(Map.of("anchor.size", "60"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SyncConfig.parse(Map.of("mode", "2"))).getMessage()
                .startsWith("mode=2: modes 2 and 3 need the checkpoint controller"));
    }

    @Test
    void changesAreSortedIntoClusterParametersAndStartKeys() {
        SyncConfig running = SyncConfig.parse(Map.of());
        SyncConfig next = SyncConfig.parse(Map.of("cluster.size", "100", "hash", "crc32", "mode", "0", "hashlog", "/tmp/x"));
        List<String[]> cluster = running.clusterChanges(next);
        assertEquals(2, cluster.size());
        assertEquals(List.of("cluster.size", "100", "56"), List.of(cluster.get(0)));
        assertEquals(List.of("hash", "crc32", "md5"), List.of(cluster.get(1)));
        List<String[]> start = running.startChanges(next);
        assertEquals(1, start.size());
        assertEquals(List.of("mode", "0", "1"), List.of(start.get(0)));
        assertTrue(!running.sameHashLog(next));
        assertTrue(running.clusterChanges(running).isEmpty() && running.startChanges(running).isEmpty());
    }

    @Test
    void theLeaderWaitsForBootPeersOrBootWaitSeconds() {
        SyncConfig c = SyncConfig.parse(Map.of("boot.peers", "2", "boot.wait", "30", "mode", "0", "rounds", "1000"));
        var leader = c.settings(true);
        assertTrue(leader.leader());
        assertEquals(2, leader.bootPeers());
        assertEquals(30_000, leader.bootWaitMillis());
        assertEquals(0, leader.mode());
        assertEquals(1000, leader.roundsLimit());
        assertTrue(!c.settings(false).leader());
    }
}
