package io.tandem.alerts.internal.osgi;

import io.tandem.alerts.AlertOutputs;
import io.tandem.alerts.TandemAlertFilter;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The keys of config pid {@code io.tandem.alerts} (see etc/io.tandem.alerts.cfg).
 *
 * @param eveFile        EVE JSON lines file, null: off
 * @param syslogHost     syslog receiver, null: off
 * @param syslogPort     its UDP port
 * @param syslogFacility 0..23
 * @param syslogAppName  APP-NAME of the messages
 * @param eventAdmin     post each report on topic tandem/alert
 * @param recent         reported alerts kept in memory for tandem:alerts
 * @param settings       how sessions agree (applies to the next session)
 */
record AlertsConfig(Path eveFile, String syslogHost, int syslogPort, int syslogFacility, String syslogAppName,
                    boolean eventAdmin, int recent, TandemAlertFilter.Settings settings) {
    static final String PID = "io.tandem.alerts";
    static final String DEFAULT_EVE = "tandem/alerts.json";

    /** @throws IllegalArgumentException naming the bad key and value */
    static AlertsConfig parse(Map<String, ?> props) {
        Path eve = null;
        if (bool(props, "eve.enabled", true)) {
            String f = string(props, "eve.file");
            eve = f == null ? defaultEve() : underBase(f);
        }
        String host = string(props, "syslog.host");
        int port = integer(props, "syslog.port", 514, 1, 65535);
        int facility = 16;
        String fac = string(props, "syslog.facility");
        if (fac != null) {
            try {
                facility = AlertOutputs.facility(fac);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("syslog.facility=" + fac + ": " + e.getMessage());
            }
        }
        String app = string(props, "syslog.app.name");
        if (app == null) app = "tandem";
        else if (!app.chars().allMatch(c -> c > 32 && c < 127) || app.length() > 48) {
            throw new IllegalArgumentException("syslog.app.name=" + app + ": must be 1..48 printable ASCII characters without spaces");
        }
        boolean eventAdmin = bool(props, "eventadmin.enabled", true);
        int recent = integer(props, "recent.size", TandemAlertFilter.DEFAULT_RECENT, 1, 1_000_000);
        long horizon = integer(props, "dedupe.horizon", (int) TandemAlertFilter.DEFAULT_HORIZON, 1024, Integer.MAX_VALUE);
        long interval = integer(props, "digest.interval.ms", (int) TandemAlertFilter.DEFAULT_DIGEST_INTERVAL_MILLIS, 10, 10_000);
        long finish = integer(props, "finish.timeout.ms", (int) TandemAlertFilter.DEFAULT_FINISH_TIMEOUT_MILLIS, 0, 600_000);
        return new AlertsConfig(eve, host, port, facility, app, eventAdmin, recent, new TandemAlertFilter.Settings(horizon, interval, finish));
    }

    /** ${karaf.data}/tandem/alerts.json in Karaf, else data/tandem/alerts.json under the working directory. */
    static Path defaultEve() {
        String data = System.getProperty("karaf.data");
        return data != null ? Path.of(data).resolve(DEFAULT_EVE) : underBase("data/" + DEFAULT_EVE);
    }

    /** Relative paths are under the Karaf base directory, as every Tandem file setting. */
    static Path underBase(String f) {
        Path p = Path.of(f);
        String base = System.getProperty("karaf.base");
        return p.isAbsolute() || base == null ? p : Path.of(base).resolve(p);
    }

    private static String string(Map<String, ?> props, String key) {
        Object v = props.get(key);
        return v == null || v.toString().isBlank() ? null : v.toString().trim();
    }

    private static boolean bool(Map<String, ?> props, String key, boolean dflt) {
        String v = string(props, key);
        if (v == null) return dflt;
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + "=" + v + ": must be true or false");
        };
    }

    private static int integer(Map<String, ?> props, String key, int dflt, int min, int max) {
        String v = string(props, key);
        if (v == null) return dflt;
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = Integer.MIN_VALUE;
        }
        if (n < min || n > max) throw new IllegalArgumentException(key + "=" + v + ": must be a whole number " + min + ".." + max);
        return n;
    }

    @Override
    public String toString() {
        return "eve.file=" + (eveFile == null ? "off" : eveFile) + " syslog=" + (syslogHost == null ? "off" : syslogHost + ":" + syslogPort
                + " facility " + syslogFacility) + " eventadmin.enabled=" + eventAdmin + " recent.size=" + recent
                + " dedupe.horizon=" + settings.horizon() + " digest.interval.ms=" + settings.digestIntervalMillis()
                + " finish.timeout.ms=" + settings.finishTimeoutMillis();
    }
}
