package io.tandem.analyzer.pipe;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link PipeAnalyzer} runs its external IDS.
 *
 * <p>The command is a template split at white space (double quotes group words); these words are replaced:
 * <ul>
 *   <li>{@code {fifo}} the named pipe the pcap stream is written into (the program reads it like a pcap file)</li>
 *   <li>{@code {logdir}} the session's log folder; the program must write EVE JSON to {@code {logdir}/eve.json}</li>
 *   <li>{@code {include}} a generated Suricata config include that sends only alerts to {@code {logdir}/eve.json}</li>
 *   <li>{@code {rules}} the rules file</li>
 *   <li>{@code {args}} the extra arguments, each its own word (nothing when there are none)</li>
 *   <li>{@code {dir}} the session folder (also the program's working folder)</li>
 * </ul>
 *
 * @param name         analyzer name, in alerts and in the service property {@code analyzer.name}
 * @param command      the command template
 * @param rules        the rules file ({@code {rules}}); checked before the program starts
 * @param args         extra arguments ({@code {args}}), e.g. a suricata-verify test's {@code -k none --set ...}
 * @param workDir      where session folders are made
 * @param settle       how long a packet must have been in the program's hands, while it lives, to count as
 *                     analyzed when it is not yet known to have been read (see {@link PipeAnalyzer})
 * @param startTimeout how long the program may take to load its rules and open the pipe
 */
public record PipeSettings(String name, String command, Path rules, List<String> args, Path workDir, Duration settle,
                           Duration startTimeout) {

    /** Suricata 7: one thread (alert positions do not depend on thread timing), checksums not checked (NIC offload). */
    public static final String DEFAULT_COMMAND =
            "suricata -r {fifo} -l {logdir} -S {rules} --include {include} -k none --runmode single --init-errors-fatal {args}";
    public static final String DEFAULT_NAME = "suricata";
    /** Where suricata-update writes the rule set on Debian. */
    public static final Path DEFAULT_RULES = Path.of("/var/lib/suricata/rules/suricata.rules");
    public static final Duration DEFAULT_SETTLE = Duration.ofMillis(1000);
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(120);

    public PipeSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(settle, "settle");
        Objects.requireNonNull(startTimeout, "startTimeout");
        args = List.copyOf(args);
        // the program runs in its session folder: a relative rules path would be read from there
        rules = rules.toAbsolutePath();
        workDir = workDir.toAbsolutePath();
        if (name.isBlank()) throw new IllegalArgumentException("name is blank");
        if (!command.contains("{fifo}")) throw new IllegalArgumentException("command has no {fifo}: " + command);
        if (settle.isNegative()) throw new IllegalArgumentException("settle " + settle + " < 0");
        if (startTimeout.isNegative() || startTimeout.isZero()) throw new IllegalArgumentException("start timeout " + startTimeout + " <= 0");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().name(name).command(command).rules(rules).args(args).workDir(workDir).settle(settle).startTimeout(startTimeout);
    }

    /**
     * Splits a command line into words at white space; double quotes group words ({@code "a b"}), a backslash
     * escapes the next character. No other shell syntax.
     *
     * @throws IllegalArgumentException on an unclosed quote
     */
    public static List<String> splitWords(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (c == '"') {
                quoted = !quoted;
                inWord = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (inWord) out.add(word.toString());
                word.setLength(0);
                inWord = false;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quoted) throw new IllegalArgumentException("unclosed quote in: " + line);
        if (inWord) out.add(word.toString());
        return out;
    }

    public static final class Builder {
        private String name = DEFAULT_NAME;
        private String command = DEFAULT_COMMAND;
        private Path rules = DEFAULT_RULES;
        private List<String> args = List.of();
        private Path workDir = Path.of(System.getProperty("java.io.tmpdir"), "tandem-analyzer-pipe");
        private Duration settle = DEFAULT_SETTLE;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;

        public Builder name(String v) { name = v; return this; }
        public Builder command(String v) { command = v; return this; }
        public Builder rules(Path v) { rules = v; return this; }
        public Builder args(List<String> v) { args = List.copyOf(v); return this; }
        /** Extra arguments as one line, split by {@link #splitWords}. */
        public Builder args(String line) { args = splitWords(line); return this; }
        public Builder workDir(Path v) { workDir = v; return this; }
        public Builder settle(Duration v) { settle = v; return this; }
        public Builder startTimeout(Duration v) { startTimeout = v; return this; }

        public PipeSettings build() {
            return new PipeSettings(name, command, rules, args, workDir, settle, startTimeout);
        }
    }
}
