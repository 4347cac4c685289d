package io.tandem.analyzer.pipe.internal;

import io.tandem.api.Alert;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Map;

/**
 * One EVE alert record, read from a parsed EVE line. The position is not in EVE: the caller maps {@link #pcapCnt}
 * (1-based count of packets the program read this session; 0 for its own pseudo packets, e.g. at flow timeout)
 * to an aligned-stream position.
 */
public record EveAlert(long pcapCnt, long timestampMicros, int gid, long sid, int rev, String signature, String category,
                       int severity, String proto, String srcIp, int srcPort, String destIp, int destPort) {

    /** EVE's timestamp: "2011-01-25T18:52:23.388719+0000" (local offset, without a colon). */
    private static final DateTimeFormatter EVE_TIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd'T'HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .appendOffset("+HHmm", "Z")
            .toFormatter();

    /**
     * @return the alert, or null when the record is not an alert (event_type other than "alert")
     * @throws IllegalArgumentException naming the field when an alert record lacks what an Alert needs
     */
    @SuppressWarnings("unchecked")
    public static EveAlert from(Object parsed) {
        if (!(parsed instanceof Map<?, ?> m)) throw new IllegalArgumentException("EVE record is not a JSON object");
        Map<String, Object> rec = (Map<String, Object>) m;
        if (!"alert".equals(rec.get("event_type"))) return null;
        if (!(rec.get("alert") instanceof Map<?, ?> am)) throw new IllegalArgumentException("alert record without an \"alert\" object");
        Map<String, Object> a = (Map<String, Object>) am;
        long sid = longField(a, "signature_id", -1);
        if (sid < 0) throw new IllegalArgumentException("alert record without alert.signature_id");
        String proto = text(rec, "proto");
        if (!proto.isEmpty() && proto.chars().allMatch(Character::isDigit)) proto = Integer.toString(Integer.parseInt(proto)); // "006" -> "6"
        return new EveAlert(longField(rec, "pcap_cnt", 0), micros(text(rec, "timestamp")),
                (int) longField(a, "gid", 1), sid, (int) longField(a, "rev", 0), text(a, "signature"), text(a, "category"),
                (int) longField(a, "severity", 3), proto, text(rec, "src_ip"), (int) longField(rec, "src_port", 0),
                text(rec, "dest_ip"), (int) longField(rec, "dest_port", 0));
    }

    public Alert toAlert(long position, String analyzer) {
        return new Alert(position, timestampMicros, gid, sid, rev, signature, category, severity, proto, srcIp, srcPort,
                destIp, destPort, analyzer);
    }

    /** @return microseconds since the epoch, 0 when absent or unreadable (the position is what identifies the packet) */
    static long micros(String t) {
        if (t.isEmpty()) return 0;
        try {
            OffsetDateTime odt = OffsetDateTime.parse(t, EVE_TIME);
            return odt.toEpochSecond() * 1_000_000L + odt.getNano() / 1000;
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    private static long longField(Map<String, Object> m, String key, long dflt) {
        Object v = m.get(key);
        if (v instanceof Long l) return l;
        if (v instanceof Double d) return d.longValue();
        return dflt;
    }

    private static String text(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof String s ? s : "";
    }
}
