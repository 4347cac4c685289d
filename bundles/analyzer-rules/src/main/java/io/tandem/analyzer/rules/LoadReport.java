package io.tandem.analyzer.rules;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What loading rule files did: every active rule line is either loaded or skipped with its reason; rule lines
 * commented out in the files are counted as disabled.
 *
 * @param files    the rule files read
 * @param loaded   rules loaded
 * @param skipped  rules not loaded, each with file, line, sid (when it could be read) and reason
 * @param disabled commented-out rules ("# alert ...") seen in the files
 */
public record LoadReport(List<String> files, int loaded, List<Skip> skipped, int disabled) {

    /** A rule not loaded. {@code sid} is -1 when the rule is too broken to say. */
    public record Skip(String file, int line, long sid, String reason) {
        @Override
        public String toString() {
            return file + ":" + line + (sid >= 0 ? " sid " + sid : "") + ": " + reason;
        }
    }

    public LoadReport {
        files = List.copyOf(files);
        skipped = List.copyOf(skipped);
    }

    /** Active rules in the files: loaded + skipped. */
    public int rules() {
        return loaded + skipped.size();
    }

    /** Skips counted by reason, most frequent first when printed through {@link #summary()}. */
    public Map<String, Integer> skippedByReason() {
        Map<String, Integer> m = new TreeMap<>();
        for (Skip s : skipped) m.merge(s.reason(), 1, Integer::sum);
        return m;
    }

    /** One line: counts, then the reasons by frequency. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(loaded).append(" rules loaded, ").append(skipped.size()).append(" skipped, ").append(disabled)
                .append(" disabled (commented out) from ").append(files.size()).append(files.size() == 1 ? " file" : " files");
        if (!skipped.isEmpty()) {
            sb.append("; skipped: ");
            skippedByReason().entrySet().stream()
                    .sorted((a, b) -> b.getValue() != a.getValue().intValue() ? b.getValue() - a.getValue() : a.getKey().compareTo(b.getKey()))
                    .limit(25)
                    .forEach(e -> sb.append(e.getValue()).append(" x ").append(e.getKey()).append("; "));
            sb.setLength(sb.length() - 2);
        }
        return sb.toString();
    }
}
