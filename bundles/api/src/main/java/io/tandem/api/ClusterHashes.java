package io.tandem.api;

/**
 * The answer to {@code getclhashes}: the sender's individual packet hashes for the unresolved window of a round.
 *
 * @param round      the round asked for
 * @param epoch      the epoch asked for
 * @param alignedEnd first position of the window (equal at every replica)
 * @param complete   the sender's source has ended and {@code hashes} is everything it holds from alignedEnd on
 * @param hashes     hashes and original numbers of the window's packets, in position order
 */
public record ClusterHashes(long round, long epoch, long alignedEnd, boolean complete, HashList hashes) {
}
