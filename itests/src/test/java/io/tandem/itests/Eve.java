package io.tandem.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** The alert filter's EVE JSON lines file, as a collector would read it. */
final class Eve {
    private Eve() {
    }

    /** The complete lines of the file (a line still being written, without its newline, is left out). */
    static List<String> lines(Path file) {
        try {
            if (!Files.exists(file)) return List.of();
            String s = Files.readString(file, StandardCharsets.UTF_8);
            int end = s.lastIndexOf('\n');
            if (end < 0) return List.of();
            return List.of(s.substring(0, end).split("\n"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Every line parsed: each must be one JSON object. */
    static List<Map<String, Object>> events(Path file) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : lines(file)) out.add(Json.object(line));
        return out;
    }

    static String text(Map<String, Object> e, String path) {
        Object v = Json.at(e, path);
        return v == null ? null : v.toString();
    }

    static long number(Map<String, Object> e, String path) {
        Object v = Json.at(e, path);
        if (!(v instanceof Long)) throw new AssertionError(path + " is not a whole number in " + e);
        return (Long) v;
    }

    /** Asserts every event is an alert with a distinct tandem.alert_id made of gid:sid@position; returns the ids. */
    static Set<String> assertDistinctAlerts(List<Map<String, Object>> events) {
        Set<String> ids = new HashSet<>();
        for (Map<String, Object> e : events) {
            assertEquals("event_type in " + e, "alert", text(e, "event_type"));
            String id = text(e, "tandem.alert_id");
            assertEquals("alert_id of " + e, number(e, "alert.gid") + ":" + number(e, "alert.signature_id") + "@" + number(e, "tandem.position"), id);
            assertTrue("alert " + id + " reported once, not twice", ids.add(id));
        }
        return ids;
    }
}
