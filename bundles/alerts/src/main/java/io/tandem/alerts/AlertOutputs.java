package io.tandem.alerts;

import io.tandem.alerts.internal.EveFileOutput;
import io.tandem.alerts.internal.SyslogOutput;
import io.tandem.api.Alert;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;

/** The outputs the filter ships, for callers that build a filter without OSGi (the CLI, tests). */
public final class AlertOutputs {
    private AlertOutputs() {
    }

    /** EVE JSON lines appended to {@code file} (created with its directory). */
    public static AlertOutput eveFile(Path file) throws IOException {
        return new EveFileOutput(file);
    }

    /**
     * RFC 5424 over UDP.
     *
     * @param facility 0..23 (16 = local0); see {@link #facility(String)}
     * @param appName  APP-NAME of the messages ("tandem")
     */
    public static AlertOutput syslog(String host, int port, int facility, String appName) throws IOException {
        return new SyslogOutput(host, port, facility, appName);
    }

    /** Adds every reported alert to {@code into} (synchronized on it), e.g. to count reports across an in-process cluster. */
    public static AlertOutput collect(Collection<? super ReportedAlert> into) {
        return new AlertOutput() {
            @Override
            public void write(Alert alert, String reporter) {
                synchronized (into) {
                    into.add(new ReportedAlert(alert, reporter));
                }
            }

            @Override
            public String toString() {
                return "collection";
            }
        };
    }

    private static final String[] FACILITIES = {"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp",
            "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4",
            "local5", "local6", "local7"};

    /**
     * A syslog facility by its name (kern, user, ..., local0..local7) or number 0..23.
     *
     * @throws IllegalArgumentException if it is neither
     */
    public static int facility(String nameOrNumber) {
        String v = nameOrNumber.trim().toLowerCase(java.util.Locale.ROOT);
        for (int i = 0; i < FACILITIES.length; i++) if (FACILITIES[i].equals(v)) return i;
        try {
            int n = Integer.parseInt(v);
            if (n >= 0 && n < FACILITIES.length) return n;
        } catch (NumberFormatException notANumber) {
            // fall through to the error
        }
        throw new IllegalArgumentException("'" + nameOrNumber + "' is not a syslog facility (kern, user, daemon, ..., local0..local7, or 0..23)");
    }
}
