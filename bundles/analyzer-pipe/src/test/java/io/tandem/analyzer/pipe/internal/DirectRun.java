package io.tandem.analyzer.pipe.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Suricata run the ordinary way, on the pcap file, with the same rules, arguments and EVE include as the pipe:
 * the reference for which rule fires on which packet (pcap_cnt).
 */
final class DirectRun {
    /** One EVE alert of the reference run: sid and pcap_cnt (0 for Suricata's own pseudo packets). */
    record Hit(long sid, long pcapCnt) {
    }

    /** @return the alerts, or null when Suricata refused to run (exit code not 0) */
    static List<Hit> run(Path pcap, Path rules, List<String> args, Path outDir) throws IOException, InterruptedException {
        Files.createDirectories(outDir);
        Path include = outDir.resolve("inc.yaml");
        Files.writeString(include, PipeSession.includeYaml(outDir.resolve("eve.json")));
        List<String> cmd = new ArrayList<>(List.of("suricata", "-r", pcap.toString(), "-l", outDir.toString(), "-S", rules.toString(),
                "--include", include.toString(), "-k", "none", "--runmode", "single", "--init-errors-fatal"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(outDir.resolve("console.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("direct suricata run did not end: " + cmd);
        }
        if (p.exitValue() != 0) return null;
        List<Hit> hits = new ArrayList<>();
        Path eve = outDir.resolve("eve.json");
        if (!Files.exists(eve)) return hits;
        for (String line : Files.readAllLines(eve, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            EveAlert a = EveAlert.from(Json.parse(line));
            if (a != null) hits.add(new Hit(a.sid(), a.pcapCnt()));
        }
        return hits;
    }
}
