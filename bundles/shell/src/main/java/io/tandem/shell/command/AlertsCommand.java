package io.tandem.shell.command;

import io.tandem.api.Alert;
import io.tandem.api.AlertFilter;
import io.tandem.api.ReplicaStatus;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.ServiceReference;

import java.util.List;

/**
 * {@code tandem:alerts}: the alerts this replica reported most recently (each distinct alert is reported by one
 * replica of the cluster, so another replica's shell shows the ones it reported).
 */
@Service
@Command(scope = "tandem", name = "alerts", description = "Lists the alerts this replica reported most recently, oldest first: time, rule, msg, src -> dst, position in the aligned stream, reporter.")
public class AlertsCommand extends TandemCommand {

    @Option(name = "-n", aliases = "--count", description = "how many alerts to show (default 20)")
    int count = 20;

    @Option(name = "--json", description = "one EVE JSON line per alert, as in the alerts file")
    boolean json;

    @Override
    Object run() {
        if (count < 1) throw new IllegalArgumentException("--count must be at least 1, not " + count);
        ServiceReference<AlertFilter> ref = null;
        try {
            ref = bundleContext == null ? null : bundleContext.getServiceReference(AlertFilter.class);
            AlertFilter filter = ref == null ? null : bundleContext.getService(ref);
            if (filter == null) {
                throw new IllegalArgumentException("no alert filter running (bundle tandem-alerts stopped, or io.tandem.alerts badly configured: see log:display)");
            }
            ReplicaStatus r = replica;
            String reporter = r == null ? "-" : r.snapshot().id();
            System.out.print(render(filter, count, json, reporter));
            return null;
        } finally {
            if (ref != null) {
                try {
                    bundleContext.ungetService(ref);
                } catch (IllegalStateException stopped) {
                    // the shell bundle stopped meanwhile: nothing to give back
                }
            }
        }
    }

    /** The command's whole output. */
    static String render(AlertFilter filter, int count, boolean json, String reporter) {
        List<Alert> alerts = filter.recent(count);
        StringBuilder b = new StringBuilder();
        if (json) {
            for (Alert a : alerts) b.append(filter.eveLine(a, reporter)).append('\n');
            return b.toString();
        }
        if (alerts.isEmpty()) {
            b.append("no alerts reported by this replica yet\n");
        } else {
            b.append(AlertLines.header()).append('\n');
            for (Alert a : alerts) b.append(AlertLines.line(a, reporter)).append('\n');
        }
        return b.append(AlertLines.footer(alerts.size(), filter.stats())).append('\n').toString();
    }
}
