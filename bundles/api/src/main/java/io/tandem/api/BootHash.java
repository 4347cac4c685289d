package io.tandem.api;

import java.util.List;

/**
 * The {@code boothash} message from the leader: the hashes of its first packets after bootstrap started,
 * and the replicas taking part (sorted replica ids, the leader included). {@code join}: the coordinator of a
 * running cluster boots a joiner on its last aligned packets; the joiner answers at once (a follower at the first
 * boot waits a little for packets the leader captured before it did). {@code untilMicros}: the capture time of the
 * last boot packet at the sender (0: not known). On traffic that repeats, a receiver holds several copies of the boot
 * packets; it looks for the newest one captured by then (give or take the clocks' skew), the copy the sender means.
 */
public record BootHash(int attempt, List<String> members, PacketHash[] hashes, boolean join, long untilMicros) {
    /** The first boot's message, without a capture time. */
    public BootHash(int attempt, List<String> members, PacketHash[] hashes) {
        this(attempt, members, hashes, false, 0);
    }
}
