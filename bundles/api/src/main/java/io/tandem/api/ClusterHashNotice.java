package io.tandem.api;

/**
 * The {@code chash} message: a replica's cluster hash for one round, pushed to every peer as soon as the
 * replica holds the round's packets (so rounds can be pipelined: a replica may push rounds ahead while the
 * current one is being compared; a push for a round is valid only if its epoch is still current).
 *
 * @param round       round number (counts every round since bootstrap, at every replica alike)
 * @param epoch       number of rounds since bootstrap that did not end synced; stale pushes carry an old epoch
 * @param from        first position of the round
 * @param count       packets hashed (k, or fewer when the sender's finite source ended)
 * @param sourceEnded the sender's source has ended and it holds no packet beyond {@code from + count}
 * @param alignedEnd  the sender's aligned end when it sent this (peers may free packets before the minimum)
 * @param hash        the cluster hash
 */
public record ClusterHashNotice(long round, long epoch, long from, int count, boolean sourceEnded, long alignedEnd, PacketHash hash) {
}
