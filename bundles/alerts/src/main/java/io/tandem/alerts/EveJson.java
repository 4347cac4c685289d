package io.tandem.alerts;

import io.tandem.api.Alert;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One alert as a line of Suricata's EVE JSON ({@code event_type} "alert"), plus a {@code tandem} object whose
 * {@code alert_id} lets a collector drop the rare copy a second replica reports (docs/alerts.md).
 */
public final class EveJson {
    /** Suricata's own timestamp form: microseconds and a numeric zone. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSZ").withZone(ZoneOffset.UTC);

    private EveJson() {
    }

    /** The JSON object, on one line, without the newline. */
    public static String line(Alert a, String reporter) {
        StringBuilder b = new StringBuilder(384);
        b.append("{\"timestamp\":");
        quote(b, timestamp(a.timestampMicros()));
        b.append(",\"event_type\":\"alert\",\"src_ip\":");
        quote(b, a.srcIp());
        b.append(",\"src_port\":").append(a.srcPort()).append(",\"dest_ip\":");
        quote(b, a.destIp());
        b.append(",\"dest_port\":").append(a.destPort()).append(",\"proto\":");
        quote(b, a.proto());
        b.append(",\"alert\":{\"action\":\"allowed\",\"gid\":").append(a.gid())
                .append(",\"signature_id\":").append(a.sid()).append(",\"rev\":").append(a.rev()).append(",\"signature\":");
        quote(b, a.signature());
        b.append(",\"category\":");
        quote(b, a.category());
        b.append(",\"severity\":").append(a.severity()).append("},\"tandem\":{\"alert_id\":");
        quote(b, a.key().toString());
        b.append(",\"position\":").append(a.position()).append(",\"reporter\":");
        quote(b, reporter);
        b.append(",\"analyzer\":");
        quote(b, a.analyzer());
        return b.append("}}").toString();
    }

    /** ISO-8601 in UTC with microseconds, as Suricata writes it: 2024-05-01T12:00:00.123456+0000. */
    public static String timestamp(long micros) {
        Instant t = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
        return TIMESTAMP.format(t);
    }

    /** Appends {@code s} as a JSON string (RFC 8259 escapes; control characters as \\u00XX). */
    public static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    // U+2028/2029 are valid JSON but break JavaScript readers of the lines
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
