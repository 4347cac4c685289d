package io.tandem.alerts.internal.osgi;

import io.tandem.alerts.AlertOutput;
import io.tandem.alerts.EveJson;
import io.tandem.api.Alert;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Posts each reported alert (asynchronously) on topic {@code tandem/alert} of whatever EventAdmin is registered now. */
final class EventAdminOutput implements AlertOutput {
    static final String TOPIC = "tandem/alert";

    private final Supplier<EventAdmin> eventAdmin;

    EventAdminOutput(Supplier<EventAdmin> eventAdmin) {
        this.eventAdmin = eventAdmin;
    }

    @Override
    public void write(Alert alert, String reporter) {
        EventAdmin ea = eventAdmin.get();
        if (ea != null) ea.postEvent(event(alert, reporter));
    }

    /** Property names follow the EVE fields, so a handler reads the same names as a collector of the file. */
    static Event event(Alert a, String reporter) {
        Map<String, Object> p = new HashMap<>();
        p.put("alert_id", a.key().toString());
        p.put("position", a.position());
        p.put("reporter", reporter);
        p.put("timestamp", EveJson.timestamp(a.timestampMicros()));
        p.put("timestamp_micros", a.timestampMicros());
        p.put("gid", a.gid());
        p.put("signature_id", a.sid());
        p.put("rev", a.rev());
        p.put("signature", a.signature());
        p.put("category", a.category());
        p.put("severity", a.severity());
        p.put("proto", a.proto());
        p.put("src_ip", a.srcIp());
        p.put("src_port", a.srcPort());
        p.put("dest_ip", a.destIp());
        p.put("dest_port", a.destPort());
        p.put("analyzer", a.analyzer());
        return new Event(TOPIC, p);
    }

    @Override
    public String toString() {
        return "eventadmin " + TOPIC;
    }
}
