package io.tandem.capture;

import io.tandem.api.Packet;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;

/**
 * The thesis's random drop (Figure 15): packets a replica loses on purpose, to show that the others supply
 * them. Each replica has its own instance and seed, so losses differ between replicas yet a run can be repeated
 * exactly; every drop is counted.
 *
 * <p>Formats:
 * <ul>
 *   <li>{@code <probability>}: each packet is dropped with probability/100000 ({@code 2500} = 2.5%); a
 *       percentage with a {@code %} suffix ({@code 5%}, {@code 0.05%}) is accepted too. {@code 0} or empty:
 *       never drop.</li>
 *   <li>{@code p<probability>,(d|D)<duration>,(f<frequency>|(i|I)<interval>)}: drop periods between normal
 *       periods. In a drop period each packet is dropped with probability p/100000. A period lasts
 *       {@code d} seconds or {@code D} packets, counted from the packet that started it. A period starts either
 *       with probability f/100000 at each packet outside a drop period, or by interval: the first packet starts
 *       one, and then the first packet at least {@code i} seconds (by packet timestamps) or exactly {@code I}
 *       packets after the previous period's starting packet starts the next one (restarting a period still
 *       running when the interval is shorter than the duration). So {@code p100000,D10,I100} drops packets
 *       0-9, 100-109, 200-209, ... (numbered from 0 in the order {@link #drop} sees them).</li>
 *   <li>{@code #<numbers>}: exactly these packets, numbered from 0 in the order {@link #drop} sees them: a comma
 *       list of numbers and ranges ({@code #3,7,10-12}). Not in the thesis; for tests and replays that need one
 *       replica to lose precisely some packets (a split attack: each replica loses a different part).</li>
 * </ul>
 * Time is the packets' own timestamps, never the wall clock, so a replay drops the same packets every time.
 *
 * <p>{@link #drop} is synchronized; the counters can be read from any thread.
 */
public final class RandomDrop {
    private static final String FORMAT = "<probability> or p<probability>,(d|D)<duration>,(f<frequency>|(i|I)<interval>) or #<numbers>";

    private enum Start { NONE, FREQUENCY, INTERVAL_PACKETS, INTERVAL_MICROS }

    private final String spec;
    private final long seed;
    private final double probability;
    private final boolean periodic;
    private final boolean durationInPackets;
    private final long duration;          // packets or micros
    private final Start start;
    private final double startProbability;
    private final long interval;          // packets or micros
    private final SplittableRandom random;
    /** {@code #} format: sorted, disjoint [from, to] packet-number ranges to drop; null otherwise. */
    private long[][] exact;

    private boolean anyPeriod;
    private long periodStartIndex;
    private long periodStartMicros;
    private volatile long seen;
    private volatile long dropped;

    private RandomDrop(String spec, long seed, double probability, boolean periodic, boolean durationInPackets, long duration,
                       Start start, double startProbability, long interval) {
        this.spec = spec;
        this.seed = seed;
        this.probability = probability;
        this.periodic = periodic;
        this.durationInPackets = durationInPackets;
        this.duration = duration;
        this.start = start;
        this.startProbability = startProbability;
        this.interval = interval;
        this.random = new SplittableRandom(seed);
    }

    /** A random drop that never drops (still counts what it sees). */
    public static RandomDrop none() {
        return new RandomDrop("0", 0, 0, false, false, 0, Start.NONE, 0, 0);
    }

    /**
     * Parses a random drop spec.
     *
     * @throws IllegalArgumentException with a one-line message naming the spec and its bad part
     */
    public static RandomDrop parse(String spec, long seed) {
        String s = spec == null ? "" : spec.trim();
        if (s.isEmpty()) return new RandomDrop("0", seed, 0, false, false, 0, Start.NONE, 0, 0);
        if (s.startsWith("#")) return exact(s, seed);
        String[] parts = s.split(",", -1);
        if (parts.length == 1) {
            double p = probability(s, s, "probability");
            return new RandomDrop(s, seed, p, false, false, 0, Start.NONE, 0, 0);
        }
        if (parts.length != 3) throw bad(s, "expected " + FORMAT);
        for (int i = 0; i < 3; i++) parts[i] = parts[i].trim();

        String p = parts[0];
        if (!p.startsWith("p")) throw bad(s, "drop probability must be p<probability>, not '" + p + "'");
        double probability = probability(s, p.substring(1), "drop probability '" + p + "'");

        String d = parts[1];
        boolean durationInPackets;
        long duration;
        if (d.startsWith("D")) {
            durationInPackets = true;
            duration = packets(s, d.substring(1), "duration '" + d + "'");
        } else if (d.startsWith("d")) {
            durationInPackets = false;
            duration = micros(s, d.substring(1), "duration '" + d + "'");
        } else {
            throw bad(s, "duration must be d<seconds> or D<packets>");
        }

        String f = parts[2];
        Start start;
        double startProbability = 0;
        long interval = 0;
        if (f.startsWith("f")) {
            start = Start.FREQUENCY;
            startProbability = probability(s, f.substring(1), "frequency '" + f + "'");
        } else if (f.startsWith("I")) {
            start = Start.INTERVAL_PACKETS;
            interval = packets(s, f.substring(1), "interval '" + f + "'");
        } else if (f.startsWith("i")) {
            start = Start.INTERVAL_MICROS;
            interval = micros(s, f.substring(1), "interval '" + f + "'");
        } else {
            throw bad(s, "period start must be f<frequency>, i<seconds> or I<packets>");
        }
        return new RandomDrop(s, seed, probability, true, durationInPackets, duration, start, startProbability, interval);
    }

    private static RandomDrop exact(String s, long seed) {
        java.util.List<long[]> ranges = new java.util.ArrayList<>();
        for (String part : s.substring(1).split(",", -1)) {
            String t = part.trim();
            if (!t.matches("\\d+(-\\d+)?")) throw bad(s, "packet numbers must be like #3,7,10-12, not '" + t + "'");
            int dash = t.indexOf('-');
            long from = Long.parseLong(dash < 0 ? t : t.substring(0, dash));
            long to = dash < 0 ? from : Long.parseLong(t.substring(dash + 1));
            if (to < from) throw bad(s, "range '" + t + "' ends before it starts");
            ranges.add(new long[] {from, to});
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < ranges.size(); i++) {
            if (ranges.get(i)[0] <= ranges.get(i - 1)[1]) throw bad(s, "ranges overlap at packet " + ranges.get(i)[0]);
        }
        RandomDrop d = new RandomDrop(s, seed, 1, false, false, 0, Start.NONE, 0, 0);
        d.exact = ranges.toArray(new long[0][]);
        return d;
    }

    private boolean exactlyDropped(long k) {
        int lo = 0, hi = exact.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (exact[mid][1] < k) lo = mid + 1;
            else if (exact[mid][0] > k) hi = mid - 1;
            else return true;
        }
        return false;
    }

    /** "2500" (out of 100000) or "2.5%" as a probability in [0, 1]. */
    private static double probability(String spec, String text, String what) {
        String t = text.trim();
        try {
            if (t.endsWith("%")) {
                BigDecimal pct = new BigDecimal(t.substring(0, t.length() - 1).trim());
                if (pct.signum() < 0 || pct.compareTo(BigDecimal.valueOf(100)) > 0) {
                    throw bad(spec, what + ": percentage must be 0..100%, not '" + t + "'");
                }
                return pct.doubleValue() / 100.0;
            }
            if (!t.matches("\\d+")) throw new NumberFormatException();
            long v = Long.parseLong(t);
            if (v > 100_000) throw bad(spec, what + ": must be 0..100000 (out of 100000), not " + t);
            return v / 100_000.0;
        } catch (NumberFormatException e) {
            throw bad(spec, what + ": must be an integer 0..100000 (out of 100000) or a percentage like 2.5%, not '" + t + "'");
        }
    }

    private static long packets(String spec, String text, String what) {
        String t = text.trim();
        try {
            if (!t.matches("\\d+")) throw new NumberFormatException();
            long v = Long.parseLong(t);
            if (v < 1) throw bad(spec, what + ": must be at least 1 packet");
            return v;
        } catch (NumberFormatException e) {
            throw bad(spec, what + ": must be a whole number of packets, not '" + t + "'");
        }
    }

    private static long micros(String spec, String text, String what) {
        String t = text.trim();
        try {
            if (!t.matches("\\d*\\.?\\d+|\\d+\\.")) throw new NumberFormatException();
            BigDecimal micros = new BigDecimal(t).movePointRight(6);
            if (micros.compareTo(BigDecimal.ONE) < 0) throw bad(spec, what + ": must be at least 1 microsecond");
            if (micros.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 4)) > 0) throw bad(spec, what + ": too long");
            return micros.longValue();
        } catch (NumberFormatException e) {
            throw bad(spec, what + ": must be seconds (like 2 or 0.5), not '" + t + "'");
        }
    }

    private static IllegalArgumentException bad(String spec, String what) {
        return new IllegalArgumentException("random drop '" + spec + "': " + what);
    }

    /** Decides the fate of the next packet: true = drop it (counted). Packets must come in capture order. */
    public synchronized boolean drop(Packet packet) {
        long k = seen;
        seen = k + 1;
        if (exact != null) {
            if (!exactlyDropped(k)) return false;
            dropped++;
            return true;
        }
        boolean candidate;
        if (!periodic) {
            candidate = probability > 0;
        } else {
            long ts = packet.timestampMicros();
            boolean starts = switch (start) {
                case FREQUENCY -> !inPeriod(k, ts) && random.nextDouble() < startProbability;
                case INTERVAL_PACKETS -> !anyPeriod || k - periodStartIndex >= interval;
                case INTERVAL_MICROS -> !anyPeriod || ts - periodStartMicros >= interval;
                case NONE -> false;
            };
            if (starts) {
                anyPeriod = true;
                periodStartIndex = k;
                periodStartMicros = ts;
            }
            candidate = inPeriod(k, ts);
        }
        if (candidate && random.nextDouble() < probability) {
            dropped++;
            return true;
        }
        return false;
    }

    private boolean inPeriod(long index, long micros) {
        if (!anyPeriod) return false;
        return durationInPackets ? index - periodStartIndex < duration : micros - periodStartMicros < duration;
    }

    /** Packets dropped so far. */
    public long dropped() {
        return dropped;
    }

    /** Packets decided on so far (dropped or not). */
    public long seen() {
        return seen;
    }

    /** The spec as given (trimmed; "0" when empty). */
    public String spec() {
        return spec;
    }

    public long seed() {
        return seed;
    }

    /** True if this instance can never drop a packet. */
    public boolean never() {
        return probability == 0 || (start == Start.FREQUENCY && startProbability == 0);
    }

    @Override
    public String toString() {
        String what;
        if (never()) {
            what = "never";
        } else if (!periodic) {
            what = percent(probability) + " of packets";
        } else {
            what = percent(probability) + " in drop periods of " + (durationInPackets ? duration + " packets" : seconds(duration))
                    + (switch (start) {
                        case FREQUENCY -> " starting with probability " + percent(startProbability) + " per packet";
                        case INTERVAL_PACKETS -> " every " + interval + " packets";
                        case INTERVAL_MICROS -> " every " + seconds(interval);
                        case NONE -> "";
                    });
        }
        return "random drop '" + spec + "' (" + what + ", seed " + seed + "): dropped " + dropped + " of " + seen;
    }

    private static String percent(double p) {
        return BigDecimal.valueOf(p).movePointRight(2).round(new MathContext(9)).stripTrailingZeros().toPlainString() + "%";
    }

    private static String seconds(long micros) {
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString() + " s";
    }
}
