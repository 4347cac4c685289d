package io.tandem.sync;

/**
 * Counters of one replica's sync engine.
 *
 * @param round          current round number
 * @param epoch          rounds that did not end synced
 * @param desyncLevel    current desynchronization level
 * @param maxDesyncLevel highest desync level reached
 * @param alignedEnd     positions before this are aligned at every replica
 * @param delivered      packets delivered to the analyzer side
 * @param syncedRounds   rounds whose cluster hashes matched
 * @param mismatchRounds rounds that exchanged individual hashes
 * @param noAnchorRounds rounds without an anchor (case -3)
 * @param recovered      packets this replica recovered from peers
 * @param served         packets this replica sent to peers
 * @param shrunkAnchors  rounds that accepted an anchor shorter than l (desync level over the limit)
 * @param joinedDuplicates entries of different replicas' windows joined as one packet by the merge
 * @param credit         packets in hand beyond the aligned end
 * @param view           membership view (0: the boot's; +1 at least per lost member)
 * @param discarded      packets this replica captured before it joined that the cluster's stream does not hold
 */
public record SyncStats(long round, long epoch, int desyncLevel, int maxDesyncLevel, long alignedEnd, long delivered,
                        long syncedRounds, long mismatchRounds, long noAnchorRounds, long recovered, long served,
                        long shrunkAnchors, long joinedDuplicates, long credit, long view, long discarded) {
}
