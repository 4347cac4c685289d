package io.tandem.api;

import java.util.List;
import java.util.Map;

/**
 * One look at a replica.
 *
 * @param id           this replica's id
 * @param leader       true if this replica bootstraps the cluster
 * @param state        where the replica is: {@code waiting for peers}, {@code bootstrapping}, {@code running},
 *                     {@code ended} (finite source fully aligned, or the rounds limit) or {@code failed}
 * @param failure      why it failed, or null
 * @param parameters   the cluster parameters in force (k, l, hash, snippet)
 * @param mode         the optimistic mode in force
 * @param members      replicas taking part since bootstrap, sorted (empty before)
 * @param peers        peers the connection manager knows now
 * @param round        current round
 * @param desyncLevel  current desync level
 * @param queueHeld    packets held in the packet queue
 * @param queueCapacity capacity of the packet queue
 * @param capturePps   packets read from the source per second, over the last sampling interval
 * @param deliveredPps packets of the aligned stream delivered per second, over the last sampling interval
 * @param capture      what is captured (one line)
 * @param randomDrop   the random drop in force (thesis format, "0" when off)
 * @param hashLog      file the aligned stream's hashes are written to, or null when off
 * @param analyzer     the analyzer fed and what the feeder does ("rules: analyzing"), one line
 * @param counters     every counter by name, in display order (capture, queue, sync, feeder, alerts)
 */
public record ReplicaSnapshot(String id, boolean leader, String state, String failure, ClusterParameters parameters,
                              int mode, List<String> members, List<PeerInfo> peers, long round, int desyncLevel,
                              long queueHeld, int queueCapacity, double capturePps, double deliveredPps,
                              String capture, String randomDrop, String hashLog, String analyzer, Map<String, Long> counters) {
}
