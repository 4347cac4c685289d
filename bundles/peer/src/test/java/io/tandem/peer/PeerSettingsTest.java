package io.tandem.peer;

import io.tandem.api.ClusterParameters;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class PeerSettingsTest {
    private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);

    @Test
    void defaults() {
        PeerSettings s = PeerSettings.builder("r1", SECRET).build();
        assertEquals("0.0.0.0", s.listenHost());
        assertEquals(0, s.listenPort());
        assertFalse(s.hasLeader());
        assertEquals(ClusterParameters.DEFAULTS, s.parameters());
        assertEquals(16 << 20, s.maxFrameBytes());
        assertEquals(64L << 20, s.writeQueueLimitBytes());
        assertEquals(1000, s.heartbeatMillis());
        assertEquals(30000, s.requestTimeoutMillis());
        assertEquals(10000, s.peerTimeoutMillis());
        assertEquals(2500, PeerSettings.builder("r1", SECRET).heartbeatMillis(250).build().peerTimeoutMillis());
    }

    @Test
    void theSecretIsRequiredCopiedAndNeverPrinted() {
        assertThrows(IllegalArgumentException.class, () -> PeerSettings.builder("r1", null).build());
        assertThrows(IllegalArgumentException.class, () -> PeerSettings.builder("r1", new byte[0]).build());
        byte[] secret = SECRET.clone();
        PeerSettings s = PeerSettings.builder("r1", secret).build();
        secret[0] = 'X';
        assertArrayEquals(SECRET, s.secret());
        s.secret()[0] = 'Y';
        assertArrayEquals(SECRET, s.secret());
        assertFalse(s.toString().contains("s3cret"));
        assertTrue(s.toString().contains("secret=<6 bytes>"));
        assertEquals(s, PeerSettings.builder("r1", SECRET).build());
    }

    @Test
    void badValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> PeerSettings.builder(" ", SECRET).build());
        assertThrows(IllegalArgumentException.class, () -> PeerSettings.builder("x".repeat(256), SECRET).build());
        assertThrows(IllegalArgumentException.class, () -> PeerSettings.builder("r1", SECRET).listen("127.0.0.1", 70000).build());
        assertThrows(IllegalArgumentException.class, () -> PeerSettings.builder("r1", SECRET).leader("127.0.0.1", 0).build());
        assertThrows(IllegalArgumentException.class, () -> PeerSettings.builder("r1", SECRET).maxFrameBytes(PeerSettings.MIN_FRAME_BYTES - 1).build());
        assertThrows(IllegalArgumentException.class, () -> PeerSettings.builder("r1", SECRET).writeQueueLimitBytes(0).build());
        assertThrows(IllegalArgumentException.class, () -> PeerSettings.builder("r1", SECRET).heartbeatMillis(1).build());
        assertThrows(IllegalArgumentException.class, () -> PeerSettings.builder("r1", SECRET).requestTimeoutMillis(0).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PeerSettings.builder("r1", SECRET).heartbeatMillis(1000).peerTimeoutMillis(1500).build());
        assertTrue(e.getMessage().contains("twice heartbeatMillis"));
        assertThrows(NullPointerException.class, () -> PeerSettings.builder("r1", SECRET).parameters(null).build());
    }
}
