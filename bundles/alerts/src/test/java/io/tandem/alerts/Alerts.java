package io.tandem.alerts;

import io.tandem.api.Alert;

/** Test alerts. */
public final class Alerts {
    private Alerts() {
    }

    public static Alert alert(long sid, long position) {
        return new Alert(position, 1_700_000_000_000_000L + position, 1, sid, 2, "ET TEST rule " + sid, "Attempted Information Leak",
                2, "TCP", "10.0.0.1", 40000 + (int) (position % 1000), "192.168.1.2", 80, "rules");
    }
}
