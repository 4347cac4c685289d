package io.tandem.sync.internal;

import io.tandem.api.ViewProposal;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The view decision without sockets: proposals in, the next step out. */
class ViewDecisionTest {

    private static ViewProposal p(long view, long alignedEnd, long round, long epoch, String... members) {
        return new ViewProposal(view, List.of(members), alignedEnd, round, epoch);
    }

    @Test
    void sameMembersEverywhereAgreeFromTheSmallestAlignedEndPastTheLargest() {
        ViewDecision.Outcome o = ViewDecision.decide(3, List.of("r2", "r3"), Map.of(
                "r2", p(3, 5_000, 90, 12, "r2", "r3"),
                "r3", p(3, 5_112, 92, 11, "r3", "r2")));
        assertEquals(new ViewDecision.Agreed(3, List.of("r2", "r3"), 5_000, 5_112, "r3", 93, 13), o,
                "next round and epoch past every member's; r3 delivered furthest");
    }

    @Test
    void differentMemberSetsRetryTheNextViewWithTheirIntersection() {
        // r3 still reaches r1 (it has not noticed r1's loss), r2 does not
        ViewDecision.Outcome o = ViewDecision.decide(1, List.of("r2", "r3"), Map.of(
                "r2", p(1, 100, 5, 1, "r2", "r3"),
                "r3", p(1, 100, 5, 1, "r1", "r2", "r3")));
        assertEquals(new ViewDecision.Retry(2, List.of("r2", "r3")), o);
    }

    @Test
    void aMemberLostMeanwhileIsDroppedTheSameWayByEveryone() {
        // r1 proposed {r1, r2, r3}; r3 lost r2 meanwhile and proposed {r1, r3}: both retry {r1, r3}
        Map<String, ViewProposal> got = Map.of(
                "r1", p(4, 700, 30, 9, "r1", "r2", "r3"),
                "r2", p(4, 700, 30, 9, "r1", "r2", "r3"),
                "r3", p(4, 700, 30, 9, "r1", "r3"));
        assertEquals(new ViewDecision.Retry(5, List.of("r1", "r3")), ViewDecision.decide(4, List.of("r1", "r2", "r3"), got));
    }

    @Test
    void aJoinerProposesFromItsBootPositionAndTheMembersPrefixIsAuthoritative() {
        // the joiner r2 booted at 4_980 (round 0, epoch 0); the members are at 5_036 and, r3 ahead by one round, 5_092
        ViewDecision.Outcome o = ViewDecision.decide(7, List.of("r1", "r2", "r3"), Map.of(
                "r1", p(7, 5_036, 200, 40, "r1", "r2", "r3"),
                "r2", p(7, 4_980, 0, 0, "r1", "r2", "r3"),
                "r3", p(7, 5_092, 201, 40, "r1", "r2", "r3")));
        assertEquals(new ViewDecision.Agreed(7, List.of("r1", "r2", "r3"), 4_980, 5_092, "r3", 202, 41), o);
    }

    @Test
    void equalAlignedEndsNameTheFirstMemberInIdOrder() {
        ViewDecision.Agreed a = (ViewDecision.Agreed) ViewDecision.decide(2, List.of("r3", "r1"), Map.of(
                "r1", p(2, 10, 1, 1, "r1", "r3"),
                "r3", p(2, 10, 1, 1, "r1", "r3")));
        assertEquals("r1", a.reachedBy());
        assertEquals(List.of("r1", "r3"), a.members());
    }

    @Test
    void aMissingOrStaleProposalIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> ViewDecision.decide(2, List.of("r1", "r2"), Map.of("r1", p(2, 1, 1, 1, "r1", "r2"))));
        assertThrows(IllegalArgumentException.class, () -> ViewDecision.decide(2, List.of("r1"), Map.of("r1", p(1, 1, 1, 1, "r1"))));
    }
}
