package io.tandem.analyzer.rules.internal;

/**
 * A numeric test of dsize, ttl, itype, icode, bsize, urilen...: {@code N}, {@code !N}, {@code <N}, {@code >N},
 * {@code <=N}, {@code >=N}, {@code N<>M} (exclusive, Snort and Suricata) or {@code N-M} (inclusive, Suricata ttl).
 */
public record NumRange(long low, long high, boolean negated) {

    public boolean test(long v) {
        return (v >= low && v <= high) != negated;
    }

    public static NumRange parse(String keyword, String text) {
        String s = text.trim().replace(" ", "");
        try {
            if (s.startsWith("!")) {
                NumRange r = parse(keyword, s.substring(1));
                return new NumRange(r.low, r.high, !r.negated);
            }
            if (s.startsWith("<=")) return new NumRange(Long.MIN_VALUE, Long.parseLong(s.substring(2)), false);
            if (s.startsWith(">=")) return new NumRange(Long.parseLong(s.substring(2)), Long.MAX_VALUE, false);
            if (s.startsWith("<")) return new NumRange(Long.MIN_VALUE, Long.parseLong(s.substring(1)) - 1, false);
            if (s.startsWith(">")) return new NumRange(Long.parseLong(s.substring(1)) + 1, Long.MAX_VALUE, false);
            if (s.startsWith("=")) s = s.substring(1);
            int r = s.indexOf("<>");
            if (r > 0) return new NumRange(Long.parseLong(s.substring(0, r)) + 1, Long.parseLong(s.substring(r + 2)) - 1, false);
            int dash = s.indexOf('-', 1);
            if (dash > 0) return new NumRange(Long.parseLong(s.substring(0, dash)), Long.parseLong(s.substring(dash + 1)), false);
            long v = Long.parseLong(s);
            return new NumRange(v, v, false);
        } catch (NumberFormatException e) {
            throw new RuleSyntaxException(keyword + ": bad number in '" + text + "'");
        }
    }
}
