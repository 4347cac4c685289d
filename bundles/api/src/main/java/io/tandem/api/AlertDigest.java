package io.tandem.api;

import java.util.List;

/**
 * What one replica's alert filter tells the others (peer push {@code ALERTS}): how far its analyzer got, which
 * alerts it raised since its last digest, and which alerts it reported to the operator since then.
 *
 * @param analyzedUpTo every packet below this position has been analyzed by the sender and its alerts raised
 * @param raised       alerts the sender raised at positions below {@code analyzedUpTo}, not sent before
 * @param reported     alerts the sender knows were reported (by itself, or by a peer whose digest it received), not
 *                     sent before; a member relays what it dropped because a peer reported it, so that a reporter's
 *                     digest reaching only some members before it died still reaches all (docs/alerts.md)
 */
public record AlertDigest(long analyzedUpTo, List<AlertKey> raised, List<AlertKey> reported) {
    public AlertDigest {
        raised = List.copyOf(raised);
        reported = List.copyOf(reported);
    }
}
