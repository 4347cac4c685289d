package io.tandem.shell.command;

import io.tandem.api.ClusterParameters;
import io.tandem.api.ReplicaSnapshot;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code tandem:status}: the replica on one screen. */
@Service
@Command(scope = "tandem", name = "status", description = "Shows the replica: role, state, cluster parameters, round, desync level, queue fill and rates.")
public class StatusCommand extends TandemCommand {

    @Override
    Object run() {
        if (replica == null) {
            System.out.println(notRunning());
            return null;
        }
        ReplicaSnapshot s = replica.snapshot();
        ClusterParameters p = s.parameters();
        System.out.printf("replica    %s (%s)%n", s.id().isEmpty() ? "-" : s.id(), s.leader() ? "leader" : "follower");
        System.out.printf("state      %s%s%n", s.state(), s.failure() != null ? ": " + s.failure() : "");
        System.out.printf("cluster    k=%d l=%d hash=%s snippet=%d, mode %d%n", p.clusterSize(), p.anchorSize(), p.hashName(), p.snippet(), s.mode());
        System.out.printf("members    %s%n", TopFrame.members(s));
        System.out.printf("peers      %d known, %d connected%n", s.peers().size(), s.peers().stream().filter(x -> x.connected()).count());
        System.out.printf("round      %d, desync level %d%n", s.round(), s.desyncLevel());
        System.out.printf("queue      %d of %d packets (%.1f %%)%n", s.queueHeld(), s.queueCapacity(),
                s.queueCapacity() == 0 ? 0.0 : 100.0 * s.queueHeld() / s.queueCapacity());
        System.out.printf("rates      capture %.0f packets/s, delivered %.0f packets/s%n", s.capturePps(), s.deliveredPps());
        System.out.printf("capture    %s%n", s.capture().isEmpty() ? "-" : s.capture());
        System.out.printf("drop       %s%n", s.randomDrop().isEmpty() ? "-" : s.randomDrop());
        System.out.printf("hash log   %s%n", s.hashLog() == null ? "off" : s.hashLog());
        System.out.printf("analyzer   %s%n", s.analyzer().isEmpty() ? "-" : s.analyzer());
        return null;
    }
}
