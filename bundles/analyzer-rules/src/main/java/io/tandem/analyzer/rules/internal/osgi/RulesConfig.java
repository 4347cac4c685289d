package io.tandem.analyzer.rules.internal.osgi;

import io.tandem.analyzer.rules.EngineSettings;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The keys of config pid {@code io.tandem.analyzer.rules} (see etc/io.tandem.analyzer.rules.cfg).
 *
 * @param rules          rule files and globs, relative to karaf.base
 * @param classification classification.config, or null
 * @param vars           var.NAME keys without the prefix
 */
record RulesConfig(List<String> rules, String classification, Map<String, String> vars, EngineSettings settings) {
    static final String PID = "io.tandem.analyzer.rules";
    static final String DEFAULT_RULES = "etc/rules/*.rules";

    /** @throws IllegalArgumentException naming the bad key and value */
    static RulesConfig parse(Map<String, ?> props) {
        List<String> rules = new ArrayList<>();
        String r = text(props, "rules", DEFAULT_RULES);
        for (String s : r.split(",")) if (!s.isBlank()) rules.add(s.trim());
        if (rules.isEmpty()) throw new IllegalArgumentException("rules=" + r + ": name at least one rule file or glob");
        String classification = text(props, "classification", "");
        Map<String, String> vars = new TreeMap<>();
        for (Map.Entry<String, ?> e : props.entrySet()) {
            if (!e.getKey().startsWith("var.")) continue;
            String name = e.getKey().substring(4);
            String v = e.getValue() == null ? "" : e.getValue().toString().trim();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new IllegalArgumentException(e.getKey() + ": not a variable name");
            if (v.isEmpty()) throw new IllegalArgumentException(e.getKey() + " is empty");
            vars.put(name, v);
        }
        EngineSettings d = EngineSettings.DEFAULTS;
        EngineSettings settings = new EngineSettings(
                (int) number(props, "flow.max", d.maxFlows(), 1, 10_000_000),
                number(props, "flow.idle.packets", d.flowIdlePackets(), 1, Long.MAX_VALUE),
                (int) number(props, "stream.window", d.streamWindow(), 0, 16 << 20),
                (int) number(props, "stream.waiting.max", d.streamMaxWaiting(), 0, 64 << 20),
                number(props, "stream.depth", d.streamDepth(), 0, Long.MAX_VALUE),
                bool(props, "stream.midstream", d.midstream()),
                (int) number(props, "http.header.limit", d.httpHeaderLimit(), 256, 16 << 20),
                (int) number(props, "http.body.limit", d.httpBodyLimit(), 0, 64 << 20));
        return new RulesConfig(List.copyOf(rules), classification.isEmpty() ? null : classification, Map.copyOf(vars), settings);
    }

    private static String text(Map<String, ?> props, String key, String dflt) {
        Object v = props.get(key);
        return v == null || v.toString().isBlank() ? dflt : v.toString().trim();
    }

    private static long number(Map<String, ?> props, String key, long dflt, long min, long max) {
        Object v = props.get(key);
        if (v == null || v.toString().isBlank()) return dflt;
        long n;
        try {
            n = Long.parseLong(v.toString().trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + v + ": must be a whole number " + min + ".." + max);
        }
        if (n < min || n > max) throw new IllegalArgumentException(key + "=" + v + ": must be a whole number " + min + ".." + max);
        return n;
    }

    private static boolean bool(Map<String, ?> props, String key, boolean dflt) {
        Object v = props.get(key);
        if (v == null || v.toString().isBlank()) return dflt;
        return switch (v.toString().trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException(key + "=" + v + ": must be true or false");
        };
    }

    /**
     * The rule files named by {@link #rules}, globs expanded (sorted), relative to {@code base}. A plain path that does
     * not exist is an error; a glob that matches nothing is not (a rule directory may be empty).
     */
    List<Path> ruleFiles(Path base) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String entry : rules) {
            Path p = base.resolve(entry).normalize();
            String text = p.toString();
            int glob = indexOfGlob(text);
            if (glob < 0) {
                if (!Files.isRegularFile(p)) throw new IllegalArgumentException("rules: " + p + " does not exist");
                out.add(p);
                continue;
            }
            int slash = text.lastIndexOf(p.getFileSystem().getSeparator(), glob);
            Path dir = Path.of(slash <= 0 ? "/" : text.substring(0, slash));
            if (!Files.isDirectory(dir)) continue;
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + text);
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(Files::isRegularFile).filter(m::matches).sorted().forEach(out::add);
            }
        }
        return out;
    }

    Path classificationFile(Path base) {
        if (classification == null) return null;
        Path p = base.resolve(classification).normalize();
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException("classification: " + p + " does not exist");
        return p;
    }

    private static int indexOfGlob(String s) {
        for (int i = 0; i < s.length(); i++) if ("*?[{".indexOf(s.charAt(i)) >= 0) return i;
        return -1;
    }
}
