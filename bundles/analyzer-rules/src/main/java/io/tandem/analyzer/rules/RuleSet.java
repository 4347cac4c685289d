package io.tandem.analyzer.rules;

import io.tandem.analyzer.rules.internal.Detection;
import io.tandem.analyzer.rules.internal.Rule;
import io.tandem.analyzer.rules.internal.RuleParser;
import io.tandem.analyzer.rules.internal.RuleSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A loaded, immutable set of rules, ready to be shared by any number of sessions. Loading never silently drops a
 * rule: each one is loaded or listed in the {@link LoadReport} with its file, line and reason.
 */
public final class RuleSet {
    private static final Logger LOG = LoggerFactory.getLogger(RuleSet.class);
    /** A commented-out rule: "# alert tcp ..." (any action), as distributed rule files disable rules. */
    private static final Pattern DISABLED = Pattern.compile("^#+\\s*(alert|drop|reject|rejectsrc|rejectdst|rejectboth|pass|log|sdrop)\\s+\\S+\\s+\\S+\\s+\\S+\\s+(->|<>)\\s.*\\(.*");

    private final Detection detection;
    private final LoadReport report;
    private final List<Rule> rules;

    private RuleSet(List<Rule> rules, LoadReport report) {
        this.rules = List.copyOf(rules);
        this.detection = new Detection(rules);
        this.report = report;
    }

    public LoadReport report() {
        return report;
    }

    public int size() {
        return rules.size();
    }

    /** The engine's view, for the analyzer in this bundle. */
    public Detection detection() {
        return detection;
    }

    /**
     * Loads rule files.
     *
     * @param ruleFiles      rule files, read in this order (a later duplicate gid:sid is skipped)
     * @param classification classification.config for classtype descriptions and priorities, or null
     * @param vars           variables (HOME_NET = "[10.0.0.0/8]", HTTP_PORTS = "80"...) over the defaults
     * @throws IOException when a file cannot be read (the message names it)
     */
    public static RuleSet load(List<Path> ruleFiles, Path classification, Map<String, String> vars) throws IOException {
        Map<String, RuleParser.Classification> classes = classification == null ? Map.of() : readClassification(classification);
        Loader loader = new Loader(vars, classes);
        for (Path file : ruleFiles) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (java.nio.charset.MalformedInputException e) {
                lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new IOException("cannot read rule file " + file + ": " + e.getMessage(), e);
            }
            loader.add(file.toString(), lines);
        }
        return loader.done();
    }

    /** Rules from text (tests, tools); {@code name} stands for the file in the report. */
    public static RuleSet parse(String name, String rulesText, Map<String, String> vars) {
        Loader loader = new Loader(vars, Map.of());
        loader.add(name, rulesText.lines().toList());
        return loader.done();
    }

    private static final class Loader {
        final RuleParser parser;
        final List<Rule> rules = new ArrayList<>();
        final List<LoadReport.Skip> skipped = new ArrayList<>();
        final Set<String> sids = new HashSet<>();
        final List<String> names = new ArrayList<>();
        int disabled;

        Loader(Map<String, String> vars, Map<String, RuleParser.Classification> classes) {
            Map<String, String> allVars = RuleParser.defaultVars();
            allVars.putAll(vars);
            parser = new RuleParser(allVars, classes);
        }

        void add(String name, List<String> lines) {
            names.add(name);
            for (int i = 0; i < lines.size(); i++) {
                int lineNo = i + 1;
                // a rule may continue over lines ending in a backslash
                StringBuilder text = new StringBuilder(lines.get(i).strip());
                while (text.length() > 0 && text.charAt(text.length() - 1) == '\\' && i + 1 < lines.size()) {
                    text.setLength(text.length() - 1);
                    text.append(lines.get(++i).strip());
                }
                String t = text.toString();
                if (t.isEmpty()) continue;
                if (t.startsWith("#")) {
                    if (DISABLED.matcher(t).matches()) disabled++;
                    continue;
                }
                long sid = sidOf(t);
                try {
                    Rule r = parser.parse(t);
                    r.file = name;
                    r.line = lineNo;
                    if (!sids.add(r.gid + ":" + r.sid)) throw new RuleSyntaxException("duplicate sid " + r.gid + ":" + r.sid);
                    r.index = rules.size();
                    rules.add(r);
                } catch (RuleSyntaxException e) {
                    String reason = (e.unsupported() ? "unsupported: " : "syntax error: ") + e.getMessage();
                    LoadReport.Skip s = new LoadReport.Skip(name, lineNo, sid, reason);
                    skipped.add(s);
                    LOG.debug("skipped {}", s);
                }
            }
        }

        RuleSet done() {
            LoadReport report = new LoadReport(names, rules.size(), skipped, disabled);
            LOG.info("rules: {}", report.summary());
            return new RuleSet(rules, report);
        }
    }

    private static long sidOf(String text) {
        java.util.regex.Matcher m = Pattern.compile("[(;]\\s*sid\\s*:\\s*(\\d+)").matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** "config classification: name,description,priority" lines. */
    public static Map<String, RuleParser.Classification> readClassification(Path file) throws IOException {
        Map<String, RuleParser.Classification> m = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IOException("cannot read classification file " + file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String prefix = "config classification:";
            if (!l.startsWith(prefix)) throw new IOException(file + ":" + (i + 1) + ": expected 'config classification: name,description,priority'");
            String[] p = l.substring(prefix.length()).split(",");
            if (p.length != 3) throw new IOException(file + ":" + (i + 1) + ": expected name,description,priority");
            try {
                m.put(p[0].trim(), new RuleParser.Classification(p[0].trim(), p[1].trim(), Integer.parseInt(p[2].trim())));
            } catch (NumberFormatException e) {
                throw new IOException(file + ":" + (i + 1) + ": priority '" + p[2].trim() + "' is not a number");
            }
        }
        return m;
    }
}
