package io.tandem.analyzer.pipe.internal;

import java.util.Map;

/** suricata-verify's "requires" ({"min-version": "8.0.6"}, {"gt-version": "6.0.11"}, {}) against an installed version. */
final class Versions {
    private Versions() {
    }

    static boolean satisfied(String requiresJson, String installed) {
        if (requiresJson.isBlank()) return true;
        Map<?, ?> r = (Map<?, ?>) Json.parse(requiresJson);
        Object min = r.get("min-version");
        if (min != null && compare(installed, text(min)) < 0) return false;
        Object gt = r.get("gt-version");
        return gt == null || compare(installed, text(gt)) > 0;
    }

    private static String text(Object v) {
        if (v instanceof Double d) return d.toString(); // 6.0
        return v.toString();
    }

    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? Integer.parseInt(x[i]) : 0;
            int q = i < y.length ? Integer.parseInt(y[i]) : 0;
            if (p != q) return Integer.compare(p, q);
        }
        return 0;
    }
}
