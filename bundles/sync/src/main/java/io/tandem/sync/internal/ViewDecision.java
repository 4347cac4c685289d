package io.tandem.sync.internal;

import io.tandem.api.ViewProposal;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The decision of a membership view change, as a pure function: the candidates a replica proposed for view
 * {@code v} and every candidate's proposal in, the next step out. Every member runs it on the same proposals and
 * takes the same decision (see docs/sync.md, "Membership views").
 *
 * <ul>
 * <li>Every candidate proposed exactly these members: the view is {@link Agreed}. The next round and epoch are past
 *     every member's (so no message of the old view matches); the realignment starts at the smallest aligned end
 *     (<i>base</i>) and must resolve past the largest (<i>reach</i>), which the first member in id order with it
 *     delivered: its window's prefix up to there is the stream (a joiner's older packets must not change it).</li>
 * <li>Otherwise: {@link Retry} view {@code v + 1} with the members every proposal shares (a member lost meanwhile,
 *     or one only some reach, is dropped the same way everywhere).</li>
 * </ul>
 */
public final class ViewDecision {
    private ViewDecision() {
    }

    /** What a view change does next. */
    public sealed interface Outcome permits Agreed, Retry {
    }

    /** The view is agreed: its members and where its first round realigns. */
    public record Agreed(long view, List<String> members, long base, long reach, String reachedBy, long round, long epoch) implements Outcome {
    }

    /** Propose the next view with these members. */
    public record Retry(long view, List<String> members) implements Outcome {
    }

    /**
     * @param view       the view proposed
     * @param candidates the members this replica proposed (itself included)
     * @param proposals  every candidate's proposal for {@code view}, by member id (all candidates present)
     */
    public static Outcome decide(long view, List<String> candidates, Map<String, ViewProposal> proposals) {
        TreeSet<String> proposed = new TreeSet<>(candidates);
        TreeSet<String> common = new TreeSet<>(proposed);
        boolean same = true;
        for (String p : proposed) {
            ViewProposal q = proposals.get(p);
            if (q == null || q.view() != view) throw new IllegalArgumentException("no view " + view + " proposal from " + p);
            common.retainAll(q.members());
            same &= new TreeSet<>(q.members()).equals(proposed);
        }
        if (!same) return new Retry(view + 1, List.copyOf(common));
        long base = Long.MAX_VALUE;
        long reach = -1;
        String reachedBy = null;
        long round = 0;
        long epoch = 0;
        for (String p : proposed) {
            ViewProposal q = proposals.get(p);
            base = Math.min(base, q.alignedEnd());
            if (q.alignedEnd() > reach) {
                reach = q.alignedEnd();
                reachedBy = p;
            }
            round = Math.max(round, q.round() + 1);
            epoch = Math.max(epoch, q.epoch() + 1);
        }
        return new Agreed(view, List.copyOf(proposed), base, reach, reachedBy, round, epoch);
    }
}
