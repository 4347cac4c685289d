package io.tandem.api;

/**
 * @param raised            alerts the local analyzer raised (re-analysis included)
 * @param reported          distinct alerts this replica reported to its outputs
 * @param reportedByPeers   distinct alerts raised here that a peer reported
 * @param duplicates        alerts raised here again (same key) after they were known: re-analysis, or twice in one packet
 * @param takenOver         alerts reported here because the replica that was to report them left the view first
 * @param pending           alerts waiting to know who reports them
 */
public record AlertFilterStats(long raised, long reported, long reportedByPeers, long duplicates, long takenOver, long pending) {
}
