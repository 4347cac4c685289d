package io.tandem.alerts.internal.osgi;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Config pid io.tandem.alerts: defaults, and one-line errors naming the bad key. */
class AlertsConfigTest {

    @Test
    void defaults() {
        AlertsConfig c = AlertsConfig.parse(Map.of());
        assertNotNull(c.eveFile());
        assertTrue(c.eveFile().endsWith(Path.of("tandem", "alerts.json")));
        assertNull(c.syslogHost());
        assertEquals(514, c.syslogPort());
        assertEquals(16, c.syslogFacility());
        assertTrue(c.eventAdmin());
        assertEquals(1000, c.recent());
        assertEquals(262_144, c.settings().horizon());
        assertEquals(100, c.settings().digestIntervalMillis());
    }

    @Test
    void values() {
        AlertsConfig c = AlertsConfig.parse(Map.of("eve.enabled", "false", "syslog.host", "10.1.2.3", "syslog.port", "1514",
                "syslog.facility", "daemon", "eventadmin.enabled", "false", "recent.size", "50", "dedupe.horizon", "100000",
                "digest.interval.ms", "200", "finish.timeout.ms", "0"));
        assertNull(c.eveFile());
        assertEquals("10.1.2.3", c.syslogHost());
        assertEquals(1514, c.syslogPort());
        assertEquals(3, c.syslogFacility());
        assertFalse(c.eventAdmin());
        assertEquals(50, c.recent());
        assertEquals(100_000, c.settings().horizon());
        assertEquals(200, c.settings().digestIntervalMillis());
        assertEquals(0, c.settings().finishTimeoutMillis());
        assertEquals(Path.of("/var/log/x.json"), AlertsConfig.parse(Map.of("eve.file", "/var/log/x.json")).eveFile());
    }

    @Test
    void errorsNameTheKey() {
        assertError("syslog.port=0: must be a whole number 1..65535", Map.of("syslog.port", "0"));
        assertError("syslog.facility=local9: ", Map.of("syslog.facility", "local9"));
        assertError("eve.enabled=yes: must be true or false", Map.of("eve.enabled", "yes"));
        assertError("recent.size=many: must be a whole number 1..1000000", Map.of("recent.size", "many"));
        assertError("dedupe.horizon=10: must be a whole number 1024..", Map.of("dedupe.horizon", "10"));
        assertError("digest.interval.ms=5: ", Map.of("digest.interval.ms", "5"));
        assertError("syslog.app.name=a b: ", Map.of("syslog.app.name", "a b"));
    }

    private static void assertError(String start, Map<String, ?> props) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AlertsConfig.parse(props));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
