package io.tandem.hashdb.internal.osgi;

import io.tandem.api.HashDatabase.WhenFull;
import io.tandem.hashdb.PacketHashDatabase;

import java.util.Locale;
import java.util.Map;

/**
 * The keys of config pid {@code io.tandem.hashdb} (see etc/io.tandem.hashdb.cfg).
 *
 * @param capacity packets the packet queue holds at most
 * @param whenFull what capture does at capacity: block (a replayed file can wait) or drop (a live interface cannot)
 */
record HashdbConfig(int capacity, WhenFull whenFull) {
    static final String PID = "io.tandem.hashdb";
    static final int DEFAULT_CAPACITY = 262_144;

    /** @throws IllegalArgumentException naming the bad key and value */
    static HashdbConfig parse(Map<String, ?> props) {
        int capacity = DEFAULT_CAPACITY;
        Object c = props.get("capacity");
        if (c != null && !c.toString().isBlank()) {
            try {
                capacity = Integer.parseInt(c.toString().trim());
            } catch (NumberFormatException e) {
                capacity = -1;
            }
            if (capacity < 1 || capacity > PacketHashDatabase.MAX_CAPACITY) {
                throw new IllegalArgumentException("capacity=" + c + ": must be a whole number 1.." + PacketHashDatabase.MAX_CAPACITY);
            }
        }
        Object w = props.get("when.full");
        WhenFull whenFull = WhenFull.DROP;
        if (w != null && !w.toString().isBlank()) {
            switch (w.toString().trim().toLowerCase(Locale.ROOT)) {
                case "block" -> whenFull = WhenFull.BLOCK;
                case "drop" -> whenFull = WhenFull.DROP;
                default -> throw new IllegalArgumentException("when.full=" + w + ": must be block or drop");
            }
        }
        return new HashdbConfig(capacity, whenFull);
    }

    @Override
    public String toString() {
        return "capacity=" + capacity + " when.full=" + whenFull.name().toLowerCase(Locale.ROOT);
    }
}
