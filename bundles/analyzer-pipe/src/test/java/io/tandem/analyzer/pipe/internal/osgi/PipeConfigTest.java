package io.tandem.analyzer.pipe.internal.osgi;

import io.tandem.analyzer.pipe.PipeSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PipeConfigTest {
    static final Path DEFAULT_DIR = Path.of("/data/tandem/analyzer-pipe");

    @Test
    void defaults() {
        PipeSettings s = PipeConfig.parse(Map.of(), DEFAULT_DIR);
        assertEquals("suricata", s.name());
        assertEquals(PipeSettings.DEFAULT_COMMAND, s.command());
        assertEquals(PipeSettings.DEFAULT_RULES, s.rules());
        assertEquals(List.of(), s.args());
        assertEquals(DEFAULT_DIR, s.workDir());
        assertEquals(Duration.ofMillis(1000), s.settle());
        assertEquals(Duration.ofSeconds(120), s.startTimeout());
    }

    @Test
    void allKeys() {
        PipeSettings s = PipeConfig.parse(Map.of("name", "suri2", "command", "/opt/ids -r {fifo} -l {logdir} {args}", "rules", "/etc/r.rules",
                "args", "-k none --set \"vars.address-groups.HOME_NET=[10.0.0.0/8]\"", "work.dir", "/var/tmp/x", "settle.ms", "250",
                "start.timeout.s", "30"), DEFAULT_DIR);
        assertEquals(new PipeSettings("suri2", "/opt/ids -r {fifo} -l {logdir} {args}", Path.of("/etc/r.rules"),
                List.of("-k", "none", "--set", "vars.address-groups.HOME_NET=[10.0.0.0/8]"), Path.of("/var/tmp/x"), Duration.ofMillis(250),
                Duration.ofSeconds(30)), s);
    }

    @Test
    void badValuesNameTheKeyInOneLine() {
        bad(Map.of("name", "two words"), "name=two words: must be letters, digits, '.', '_' or '-'");
        bad(Map.of("command", "suricata -r /tmp/x"), "command=suricata -r /tmp/x: must contain {fifo} (where the program reads the pcap stream)");
        bad(Map.of("command", "suricata \"-r {fifo}"), "command=suricata \"-r {fifo}: unclosed quote in: suricata \"-r {fifo}");
        bad(Map.of("rules", "rules/x.rules"), "rules=rules/x.rules: must be an absolute path");
        bad(Map.of("args", "--set \"a=b"), "args=--set \"a=b: unclosed quote in: --set \"a=b");
        bad(Map.of("work.dir", "tmp"), "work.dir=tmp: must be an absolute path");
        bad(Map.of("settle.ms", "soon"), "settle.ms=soon: must be a whole number 0..600000");
        bad(Map.of("settle.ms", "-1"), "settle.ms=-1: must be a whole number 0..600000");
        bad(Map.of("start.timeout.s", "0"), "start.timeout.s=0: must be a whole number 1..3600");
    }

    private static void bad(Map<String, ?> props, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> PipeConfig.parse(props, DEFAULT_DIR)).getMessage());
    }

    @Test
    void splitWords() {
        assertEquals(List.of("a", "b c", "d\"e", "f"), PipeSettings.splitWords("  a \"b c\" d\\\"e\tf "));
        assertEquals(List.of(""), PipeSettings.splitWords("\"\""));
        assertEquals(List.of(), PipeSettings.splitWords("   "));
    }
}
