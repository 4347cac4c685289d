package io.tandem.shell.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code tandem:mode}: the optimistic mode, shown or set (a bootstrapped replica applies it at its next start). */
@Service
@Command(scope = "tandem", name = "mode", description = "Shows or sets the optimistic mode: 0 (the sync thread captures what a round needs) or 1 (capture runs on its own thread).")
public class ModeCommand extends TandemCommand {

    @Argument(index = 0, name = "mode", description = "0 or 1; none shows the mode in force")
    String mode;

    @Override
    Object run() throws Exception {
        if (mode == null) {
            System.out.println("mode " + snapshot().mode());
            return null;
        }
        String m = mode.trim();
        if (m.equals("2") || m.equals("3")) throw new IllegalArgumentException("mode " + m + " needs the checkpoint controller, which this build does not have yet; use 0 or 1");
        if (!m.equals("0") && !m.equals("1")) throw new IllegalArgumentException("mode must be 0 or 1, not '" + m + "'");
        setConfig(SYNC_PID, "mode", m);
        if (replica != null && replica.snapshot().mode() == Integer.parseInt(m)) {
            System.out.println("mode now " + m);
        } else {
            // The sync component restarts a replica that has not bootstrapped yet; a running one keeps its mode.
            System.out.println("mode=" + m + " written to " + SYNC_PID + "; a bootstrapped replica applies it when it next starts");
        }
        return null;
    }
}
