package io.tandem.shell.command;

import io.tandem.api.Alert;
import io.tandem.api.AlertFilterStats;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * How {@code tandem:alerts} prints an alert as a table line ({@code --json} asks the alert filter service for its EVE
 * line, so the two forms cannot drift apart).
 */
final class AlertLines {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
    /** Longer messages are cut so one alert stays one line on a terminal. */
    static final int MSG_WIDTH = 48;

    private AlertLines() {
    }

    static String header() {
        return String.format("%-26s %-18s %-" + MSG_WIDTH + "s %-47s %12s  %s", "time (UTC)", "gid:sid:rev", "msg", "src -> dst", "position", "reporter");
    }

    static String line(Alert a, String reporter) {
        String sid = a.gid() + ":" + a.sid() + ":" + a.rev();
        return String.format("%-26s %-18s %-" + MSG_WIDTH + "s %-47s %12d  %s", TIME.format(instant(a.timestampMicros())), sid,
                cut(oneLine(a.signature()), MSG_WIDTH), endpoint(a.srcIp(), a.srcPort()) + " -> " + endpoint(a.destIp(), a.destPort())
                        + " " + a.proto(), a.position(), reporter);
    }

    static String footer(int shown, AlertFilterStats s) {
        return shown + " shown; this replica: " + s.reported() + " reported, " + s.reportedByPeers() + " reported by peers, "
                + s.raised() + " raised (" + s.duplicates() + " duplicates), " + s.takenOver() + " taken over, " + s.pending() + " pending";
    }

    private static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static String endpoint(String ip, int port) {
        if (port == 0) return ip.isEmpty() ? "-" : ip;
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }

    /** A rule's msg with control characters shown as spaces: a crafted msg must not break the table. */
    private static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        return b.toString();
    }

    private static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }
}
