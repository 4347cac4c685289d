package io.tandem.api;

import java.util.List;

/**
 * A replica's proposal for the next membership view, pushed to every proposed member when a member was lost.
 * The view is agreed once every proposed member proposed the same members for the same view; the survivors then
 * realign from the smallest aligned end among them, so none of them skips or repeats a packet.
 *
 * @param view       the proposed view number (the current view plus one, or higher)
 * @param members    the replicas the sender still reaches, itself included, sorted
 * @param alignedEnd the sender's aligned end (packets it has delivered)
 * @param round      the sender's current round
 * @param epoch      the sender's current epoch
 */
public record ViewProposal(long view, List<String> members, long alignedEnd, long round, long epoch) {
    public ViewProposal {
        members = List.copyOf(members);
    }
}
