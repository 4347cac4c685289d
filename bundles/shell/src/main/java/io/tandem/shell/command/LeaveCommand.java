package io.tandem.shell.command;

import io.tandem.api.ReplicaSnapshot;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code tandem:leave}: this replica stops taking part. Its engine stops, its peer connections close and its
 * capture stops; the other replicas see it go and agree a new membership view without it. Written to etc/
 * ({@code io.tandem.sync member = false}), so it stays out across restarts until {@code tandem:join}.
 */
@Service
@Command(scope = "tandem", name = "leave", description = "This replica stops taking part: engine, peer connections and capture stop; the others go on in a new view. It stays out (also across restarts) until tandem:join.")
public class LeaveCommand extends TandemCommand {

    @Override
    Object run() throws Exception {
        ReplicaSnapshot s = snapshot();
        if (s.state().equals("left")) throw new IllegalArgumentException("this replica has already left the cluster (tandem:join takes it back in)");
        setConfig(SYNC_PID, "member", "false");
        ReplicaSnapshot now = await(x -> x.state().equals("left"), 20);
        if (now == null || !now.state().equals("left")) {
            throw new IllegalArgumentException("member=false is written to " + SYNC_PID + " but the replica still shows state '"
                    + (now == null ? "none" : now.state()) + "' (see log:display)");
        }
        String id = s.id().isEmpty() ? "this replica" : s.id();
        System.out.println(id + " left the cluster: engine stopped, peer connections closed, capture stopped;"
                + " the others go on without it (tandem:join takes it back in)");
        return null;
    }
}
