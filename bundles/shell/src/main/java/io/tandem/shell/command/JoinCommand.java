package io.tandem.shell.command;

import io.tandem.api.ReplicaSnapshot;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code tandem:join}: a replica that left takes part again. A new replica is assembled (queue, capture,
 * connection manager, engine); as a follower it logs in to its leader address, and the running cluster's
 * coordinator (its lowest member id) boots it into the aligned stream by a view change.
 *
 * <p>The configured leader (empty {@code leader.host}) would bootstrap a new cluster rather than join one. So it
 * needs {@code --via HOST:PORT} of a running member, which is written to {@code io.tandem.peer} as its
 * {@code leader.host}/{@code leader.port}: from then on it is a follower, also after a restart. {@code --lead}
 * instead makes it bootstrap anew (when the cluster does not run without it). On a follower {@code --lead} empties
 * {@code leader.host}: it is the configured leader from then on. That is how a cluster whose members all stopped or
 * left forms again, whoever led it before (a leader that joined through {@code --via} follows a member that is gone).
 */
@Service
@Command(scope = "tandem", name = "join", description = "A replica that left takes part again: booted into the running stream as a follower. The configured leader needs --via HOST:PORT of a running member (it then follows that member) or --lead (bootstrap a new cluster; a follower becomes the configured leader).")
public class JoinCommand extends TandemCommand {
    private static final int WAIT_SECONDS = 20;

    @Option(name = "--via", description = "HOST:PORT of a running member to log in to; written to io.tandem.peer leader.host/leader.port (this replica follows it from now on)")
    String via;

    @Option(name = "--lead", description = "bootstrap a new cluster instead of joining a running one; on a follower, io.tandem.peer leader.host is emptied (this replica is the configured leader from now on)")
    boolean lead;

    @Override
    Object run() throws Exception {
        if (via != null && lead) throw new IllegalArgumentException("give either --via or --lead, not both");
        String host = null;
        int port = 0;
        if (via != null) {
            int colon = via.lastIndexOf(':');
            try {
                port = colon > 0 ? Integer.parseInt(via.substring(colon + 1).trim()) : -1;
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) throw new IllegalArgumentException("--via must be HOST:PORT of a running member, not '" + via + "'");
            host = via.substring(0, colon).trim();
        }
        ReplicaSnapshot s = snapshot();
        if (!s.state().equals("left")) throw new IllegalArgumentException("this replica already takes part (state " + s.state() + "); tandem:leave first");
        boolean leads = connections != null && connections.leader();
        if (leads && via == null && !lead) {
            throw new IllegalArgumentException("this replica is the configured leader (io.tandem.peer leader.host is empty): to join the running cluster"
                    + " give --via HOST:PORT of a running member (it then follows that member, written to etc/), or --lead to bootstrap a new cluster");
        }
        if (via != null) {
            setConfig(PEER_PID, "leader.host", host);
            setConfig(PEER_PID, "leader.port", String.valueOf(port));
        } else if (lead && !leads) {
            setConfig(PEER_PID, "leader.host", "");
        }
        if (via != null || lead && !leads) {
            // the conductor reads the role when it assembles the replica: let the peer component apply it first
            boolean wantLeader = via == null;
            for (int i = 0; i < 50 && (connections == null || connections.leader() != wantLeader); i++) {
                Thread.sleep(100);
                lookUp();
            }
            if (connections == null || connections.leader() != wantLeader) {
                throw new IllegalArgumentException("leader.host=" + (wantLeader ? "" : host) + " is written to " + PEER_PID
                        + " but the connection manager does not show it yet (see log:display)");
            }
        }
        setConfig(SYNC_PID, "member", "true");
        // a new leader bootstraps once its peers log in: that is as far as it goes alone
        ReplicaSnapshot now = await(x -> x.state().equals("running") || x.state().equals("failed") || x.state().equals("ended")
                || lead && x.state().startsWith("waiting for peers"), WAIT_SECONDS);
        String id = s.id().isEmpty() ? "this replica" : s.id();
        if (now != null && now.state().equals("running")) {
            System.out.println(id + (lead ? " leads a new cluster" : " joined") + ": members " + TopFrame.members(now));
        } else if (now != null && now.state().startsWith("waiting for peers")) {
            System.out.println(id + " leads a new cluster: " + now.state() + "; it bootstraps once they log in (io.tandem.sync boot.peers)");
        } else if (now != null && now.state().equals("failed")) {
            throw new IllegalArgumentException(id + " could not join: " + now.failure());
        } else {
            System.out.println(id + " is joining: state " + (now == null ? "starting" : now.state()) + " after " + WAIT_SECONDS + " s (tandem:status shows when it runs)");
        }
        return null;
    }
}
