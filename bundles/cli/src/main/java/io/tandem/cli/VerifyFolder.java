package io.tandem.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One suricata-verify test folder: its pcap, {@code test.rules}, and from {@code test.yaml} the Suricata arguments
 * ({@code args}) and requirements ({@code requires}). Only the part of YAML those files use is read: top-level
 * keys, "- item" lists and one level of "key: value" maps.
 *
 * @param name     the folder's name
 * @param pcap     the capture ({@code pcap:} in test.yaml names a file copied beside it; else the folder's one pcap)
 * @param rules    test.rules, or null when the folder has none
 * @param args     Suricata arguments, each "--set x=y" or "-k none" as written
 * @param requires the requirements (min-version, gt-version, lt-version, features, ...), as text
 * @param command  true when the test runs its own command line (not a plain {@code -r pcap} run)
 */
record VerifyFolder(String name, Path pcap, Path rules, List<String> args, Map<String, String> requires, boolean command) {

    static VerifyFolder read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a folder");
        dir = dir.toAbsolutePath().normalize(); // analyzers run in folders of their own
        Path yaml = dir.resolve("test.yaml");
        Map<String, List<String>> lists = new LinkedHashMap<>();
        Map<String, String> requires = new LinkedHashMap<>();
        String pcapName = null;
        boolean command = false;
        if (Files.exists(yaml)) {
            String section = null;
            for (String raw : Files.readAllLines(yaml)) {
                String line = raw.replaceFirst("\\s+#.*$", "");
                if (line.isBlank() || line.trim().startsWith("#")) continue;
                boolean top = !Character.isWhitespace(line.charAt(0)) && !line.startsWith("-");
                String t = line.trim();
                if (top) {
                    int colon = t.indexOf(':');
                    section = colon < 0 ? t : t.substring(0, colon).trim();
                    String value = colon < 0 ? "" : t.substring(colon + 1).trim();
                    if (section.equals("pcap") && !value.isEmpty()) pcapName = Path.of(unquote(value)).getFileName().toString();
                    if (section.equals("command")) command = true;
                    if (section.equals("args") && !value.isEmpty()) lists.computeIfAbsent("args", k -> new ArrayList<>()).add(unquote(value));
                    continue;
                }
                if (section == null) continue;
                if (t.startsWith("- ")) {
                    lists.computeIfAbsent(section, k -> new ArrayList<>()).add(unquote(t.substring(2).trim()));
                } else if (section.equals("requires") && t.contains(":")) {
                    int colon = t.indexOf(':');
                    requires.put(t.substring(0, colon).trim(), unquote(t.substring(colon + 1).trim()));
                }
            }
        }
        Path pcap;
        if (pcapName != null && Files.exists(dir.resolve(pcapName))) {
            pcap = dir.resolve(pcapName);
        } else {
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> pcaps = files.filter(f -> f.getFileName().toString().endsWith(".pcap")).sorted().toList();
                if (pcaps.isEmpty()) throw new IOException(dir + ": no .pcap file in the folder");
                pcap = pcaps.get(0);
            }
        }
        Path rules = dir.resolve("test.rules");
        return new VerifyFolder(dir.getFileName().toString(), pcap, Files.exists(rules) ? rules : null,
                List.copyOf(lists.getOrDefault("args", List.of())), requires, command);
    }

    /**
     * Why Suricata {@code version} (like "7.0.10") cannot run this test, or null if it can: a required version it
     * does not meet, or a requirement this harness does not check (named).
     */
    String unmetBy(String version) {
        if (command) return "runs its own command line (test.yaml 'command'), not a pcap read";
        for (Map.Entry<String, String> r : requires.entrySet()) {
            String want = r.getValue();
            switch (r.getKey()) {
                case "min-version" -> {
                    if (compare(version, want) < 0) return "needs Suricata >= " + want + " (installed " + version + ")";
                }
                case "gt-version" -> {
                    if (compare(version, want) <= 0) return "needs Suricata > " + want + " (installed " + version + ")";
                }
                case "lt-version" -> {
                    if (compare(version, want) >= 0) return "needs Suricata < " + want + " (installed " + version + ")";
                }
                case "le-version" -> {
                    if (compare(version, want) > 0) return "needs Suricata <= " + want + " (installed " + version + ")";
                }
                default -> {
                    return "requires '" + r.getKey() + ": " + want + "', which this harness does not check";
                }
            }
        }
        return null;
    }

    /** Compares dotted versions numerically; a missing part counts as 0 ("8" == "8.0.0"). */
    static int compare(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? number(x[i]) : 0, q = i < y.length ? number(y[i]) : 0;
            if (p != q) return Integer.compare(p, q);
        }
        return 0;
    }

    /** The args as single words for a command line ("-k none" is two). */
    List<String> argWords() {
        List<String> words = new ArrayList<>();
        for (String a : args) for (String w : a.trim().split("\\s+")) if (!w.isEmpty()) words.add(w);
        return words;
    }

    private static int number(String s) {
        String digits = s.replaceAll("[^0-9].*$", "");
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) return s.substring(1, s.length() - 1);
        return s;
    }
}
