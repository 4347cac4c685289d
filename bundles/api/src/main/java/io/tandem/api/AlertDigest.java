package io.tandem.api;

import java.util.List;

/**
 * What one replica's alert filter tells the others (peer push {@code ALERTS}): how far its analyzer got, which
 * alerts it raised since its last digest, and which alerts it reported to the operator since then.
 *
 * @param analyzedUpTo every packet below this position has been analyzed by the sender and its alerts raised
 * @param raised       alerts the sender raised at positions below {@code analyzedUpTo}, not sent before
 * @param reported     alerts the sender reported to its outputs, not sent before
 */
public record AlertDigest(long analyzedUpTo, List<AlertKey> raised, List<AlertKey> reported) {
    public AlertDigest {
        raised = List.copyOf(raised);
        reported = List.copyOf(reported);
    }
}
