package io.tandem.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Command-line options of the form {@code --name value}; unknown names and missing values are one-line errors. */
final class Args {
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    Args(String[] argv, int from, Set<String> known) {
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (!known.contains(name)) throw new UsageException("unknown option --" + name + " (known: --" + String.join(", --", known) + ")");
                if (value == null) {
                    if (i + 1 >= argv.length) throw new UsageException("option --" + name + " needs a value");
                    value = argv[++i];
                }
                values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            } else {
                positional.add(a);
            }
        }
    }

    String get(String name, String dflt) {
        List<String> v = values.get(name);
        return v == null ? dflt : v.get(v.size() - 1);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    long getLong(String name, long dflt, long min, long max) {
        String v = get(name, null);
        if (v == null) return dflt;
        long x;
        try {
            x = Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, not '" + v + "'");
        }
        if (x < min || x > max) throw new UsageException("--" + name + " must be " + min + ".." + max + ", not " + x);
        return x;
    }

    int getInt(String name, int dflt, int min, int max) {
        return (int) getLong(name, dflt, min, max);
    }

    List<String> positional() {
        return positional;
    }

    /** A bad command line: printed as one line, exit status 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
