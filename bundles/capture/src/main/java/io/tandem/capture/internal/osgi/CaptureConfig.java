package io.tandem.capture.internal.osgi;

import io.tandem.capture.LiveCaptureSettings;
import io.tandem.capture.RandomDrop;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The keys of config pid {@code io.tandem.capture} (see etc/io.tandem.capture.cfg).
 *
 * @param live        the interface to capture on and how, or null to read files
 * @param sourceFile  pcap file or folder (when {@code live} is null), or null when none is configured
 * @param pps         packets per second to replay at, 0 for top speed
 * @param loopPackets replay the capture looped up to this many packets (read into memory); 0 reads it once
 * @param drop        the random drop (thesis format), "0" when off
 * @param dropSeed    seed of the random drop, 0 for a new one at each open
 */
record CaptureConfig(LiveCaptureSettings live, Path sourceFile, int pps, long loopPackets, String drop, long dropSeed) {
    static final String PID = "io.tandem.capture";

    /** @throws IllegalArgumentException naming the bad key and value */
    static CaptureConfig parse(Map<String, ?> props) {
        // interface set: live capture, and the source.* keys are not used
        LiveCaptureSettings live = text(props, LiveCaptureSettings.KEY_INTERFACE).isEmpty() ? null : LiveCaptureSettings.fromConfig(props);
        String file = text(props, "source.file");
        Path path = null;
        if (!file.isEmpty()) {
            path = Path.of(file);
            // Relative to the Karaf base directory, not to whatever directory Karaf was started from.
            String base = System.getProperty("karaf.base");
            if (!path.isAbsolute() && base != null) path = Path.of(base).resolve(path);
        }
        String drop = text(props, "drop");
        long seed = number(props, "drop.seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        try {
            RandomDrop.parse(drop, seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("drop=" + drop + ": " + e.getMessage());
        }
        return new CaptureConfig(live, live != null ? null : path, (int) number(props, "source.pps", 0, 0, 100_000_000), number(props, "source.loop.packets", 0, 0, Long.MAX_VALUE),
                drop.isEmpty() ? "0" : drop, seed);
    }

    RandomDrop randomDrop() {
        return RandomDrop.parse(drop, dropSeed != 0 ? dropSeed : System.nanoTime());
    }

    boolean hasSource() {
        return live != null || sourceFile != null;
    }

    /** The keys that say where packets come from (a change applies at the next open). */
    boolean sameSource(CaptureConfig o) {
        return o != null && Objects.equals(live, o.live) && Objects.equals(sourceFile, o.sourceFile) && pps == o.pps && loopPackets == o.loopPackets;
    }

    @Override
    public String toString() {
        if (live != null) return "interface " + live.describe() + " drop=" + drop;
        return "source.file=" + sourceFile + " source.pps=" + pps + " source.loop.packets=" + loopPackets + " drop=" + drop;
    }

    private static String text(Map<String, ?> props, String key) {
        Object v = props.get(key);
        return v == null ? "" : v.toString().trim();
    }

    private static long number(Map<String, ?> props, String key, long fallback, long min, long max) {
        String v = text(props, key);
        if (v.isEmpty()) return fallback;
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + "=" + v + ": must be a whole number" + (min == Long.MIN_VALUE ? "" : " " + min + ".." + max));
    }
}
