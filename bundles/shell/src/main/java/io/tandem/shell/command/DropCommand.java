package io.tandem.shell.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code tandem:drop}: the replica's random drop (thesis format), shown, set or cleared; it applies live. */
@Service
@Command(scope = "tandem", name = "drop", description = "Shows, sets or clears the random drop: <prob out of 100000> (2500 = 2.5 %), 5%, or p<prob>,(d|D)<duration>,(f<freq>|(i|I)<interval>).")
public class DropCommand extends TandemCommand {

    @Argument(index = 0, name = "spec", description = "the new random drop; none shows the one in force")
    String spec;

    @Option(name = "--clear", description = "stop dropping (same as 0)")
    boolean clear;

    @Override
    Object run() throws Exception {
        if (clear && spec != null) throw new IllegalArgumentException("give either a drop spec or --clear, not both");
        if (!clear && spec == null) {
            System.out.println("random drop " + snapshot().randomDrop());
            return null;
        }
        String value = clear ? "0" : spec.trim();
        if (!setLive(CAPTURE_PID, "drop", value, s -> s.randomDrop().equals(value),
                "drop '" + value + "' was refused (see log:display for why); random drop stays " + (replica == null ? "" : replica.snapshot().randomDrop()))) {
            return null;
        }
        System.out.println("random drop now " + value);
        return null;
    }
}
