package io.tandem.capture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code karaf-assembly/testbed/selftest.sh}: the network test bed (namespaces, hub, per-replica nft loss)
 * delivers every replayed frame to every replica minus exactly the frames nft dropped for it. Needs root,
 * iproute2, nftables, tcpreplay, tcpdump; fails (never skips) without them.
 */
class TestbedSelfTest {

    @Test
    void hubDeliversEveryReplayedFrameToEveryReplicaLessItsOwnCountedLoss() throws IOException, InterruptedException {
        Veth.requireTestBed();
        Path script = Path.of("../../karaf-assembly/testbed/selftest.sh").toAbsolutePath().normalize();
        assertTrue(Files.isReadable(script), "no test bed self test at " + script);
        Process p = new ProcessBuilder(List.of("bash", script.toString(), TestData.dataDir().toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("selftest.sh did not finish in 180 s:\n" + out);
        }
        List<String> lines = out.strip().lines().toList();
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        assertEquals(0, p.exitValue(), "selftest.sh failed:\n" + out);
        assertTrue(last.matches("selftest: [1-9][0-9]* passed, 0 failed"), "selftest.sh's verdict:\n" + out);
    }
}
