package io.tandem.shell.command;

import io.tandem.api.PeerInfo;
import io.tandem.api.ReplicaSnapshot;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code tandem:peers}: the replica's peers as its connection manager knows them. */
@Service
@Command(scope = "tandem", name = "peers", description = "Lists the peers: id, address, whether both channels are logged in, last heard from, member of the aligned stream.")
public class PeersCommand extends TandemCommand {

    @Override
    Object run() {
        ReplicaSnapshot s = snapshot();
        if (s.peers().isEmpty()) {
            System.out.println("no peers" + (s.state().equals("left") ? " (this replica left the cluster)" : s.leader() ? "" : " (not connected to the leader yet)"));
            return null;
        }
        System.out.printf("%-20s %-24s %-10s %-12s %s%n", "id", "address", "connected", "last seen", "member");
        long now = System.currentTimeMillis();
        for (PeerInfo p : s.peers()) {
            String seen = p.lastSeenMillis() <= 0 ? "never" : String.format("%.1f s ago", (now - p.lastSeenMillis()) / 1000.0);
            System.out.printf("%-20s %-24s %-10s %-12s %s%n", p.id(), p.host() + ":" + p.port(), p.connected() ? "yes" : "no", seen,
                    s.members().contains(p.id()) ? "yes" : "no");
        }
        return null;
    }
}
