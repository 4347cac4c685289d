package io.tandem.shell.command;

import io.tandem.api.ReplicaSnapshot;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.Map;

/** {@code tandem:stats}: every counter; every drop of a packet the replica held is one of them. */
@Service
@Command(scope = "tandem", name = "stats", description = "Shows every counter of capture, packet queue and sync (--json: one JSON object).")
public class StatsCommand extends TandemCommand {

    @Option(name = "--json", description = "one JSON object instead of a table")
    boolean json;

    @Override
    Object run() {
        ReplicaSnapshot s = snapshot();
        if (json) {
            StringBuilder b = new StringBuilder("{\"id\":").append(quote(s.id())).append(",\"state\":").append(quote(s.state()))
                    .append(",\"capturePps\":").append(Math.round(s.capturePps()))
                    .append(",\"deliveredPps\":").append(Math.round(s.deliveredPps())).append(",\"counters\":{");
            String sep = "";
            for (Map.Entry<String, Long> e : s.counters().entrySet()) {
                b.append(sep).append(quote(e.getKey())).append(':').append(e.getValue());
                sep = ",";
            }
            System.out.println(b.append("}}"));
        } else {
            for (Map.Entry<String, Long> e : s.counters().entrySet()) System.out.printf("%-26s %d%n", e.getKey(), e.getValue());
        }
        return null;
    }

    private static String quote(String v) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
