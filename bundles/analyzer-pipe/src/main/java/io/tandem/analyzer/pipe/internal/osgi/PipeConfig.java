package io.tandem.analyzer.pipe.internal.osgi;

import io.tandem.analyzer.pipe.PipeSettings;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The keys of config pid {@code io.tandem.analyzer.pipe} (see etc/io.tandem.analyzer.pipe.cfg). */
final class PipeConfig {
    static final String PID = "io.tandem.analyzer.pipe";
    static final long MAX_SETTLE_MS = 600_000;
    static final long MAX_START_TIMEOUT_S = 3600;

    private PipeConfig() {
    }

    /**
     * @param defaultWorkDir used when work.dir is not set
     * @throws IllegalArgumentException naming the bad key and value
     */
    static PipeSettings parse(Map<String, ?> props, Path defaultWorkDir) {
        PipeSettings.Builder b = PipeSettings.builder().workDir(defaultWorkDir);
        String name = text(props, "name");
        if (name != null) {
            if (!name.matches("[A-Za-z0-9._-]+")) throw new IllegalArgumentException("name=" + name + ": must be letters, digits, '.', '_' or '-'");
            b.name(name);
        }
        String command = text(props, "command");
        if (command != null) {
            try {
                if (PipeSettings.splitWords(command).isEmpty()) throw new IllegalArgumentException("empty");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("command=" + command + ": " + e.getMessage());
            }
            if (!command.contains("{fifo}")) throw new IllegalArgumentException("command=" + command + ": must contain {fifo} (where the program reads the pcap stream)");
            b.command(command);
        }
        String rules = text(props, "rules");
        if (rules != null) b.rules(path("rules", rules));
        String args = text(props, "args");
        if (args != null) {
            try {
                b.args(args);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("args=" + args + ": " + e.getMessage());
            }
        }
        String workDir = text(props, "work.dir");
        if (workDir != null) b.workDir(path("work.dir", workDir));
        String settle = text(props, "settle.ms");
        if (settle != null) b.settle(Duration.ofMillis(number("settle.ms", settle, 0, MAX_SETTLE_MS)));
        String start = text(props, "start.timeout.s");
        if (start != null) b.startTimeout(Duration.ofSeconds(number("start.timeout.s", start, 1, MAX_START_TIMEOUT_S)));
        return b.build();
    }

    private static String text(Map<String, ?> props, String key) {
        Object v = props.get(key);
        return v == null || v.toString().isBlank() ? null : v.toString().trim();
    }

    private static Path path(String key, String v) {
        try {
            Path p = Path.of(v);
            if (!p.isAbsolute()) throw new IllegalArgumentException(key + "=" + v + ": must be an absolute path");
            return p;
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(key + "=" + v + ": not a path (" + e.getReason() + ")");
        }
    }

    private static long number(String key, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            n = min - 1;
        }
        if (n < min || n > max) throw new IllegalArgumentException(key + "=" + v + ": must be a whole number " + min + ".." + max);
        return n;
    }

    static String describe(PipeSettings s) {
        return "name=" + s.name() + " command=" + s.command() + " rules=" + s.rules() + " args=" + String.join(" ", s.args())
                + " work.dir=" + s.workDir() + " settle.ms=" + s.settle().toMillis() + " start.timeout.s=" + s.startTimeout().toSeconds();
    }
}
