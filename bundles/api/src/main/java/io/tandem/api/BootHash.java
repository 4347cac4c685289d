package io.tandem.api;

import java.util.List;

/**
 * The {@code boothash} message from the leader: the hashes of its first packets after bootstrap started,
 * and the replicas taking part (sorted replica ids, the leader included). {@code join}: the coordinator of a
 * running cluster boots a joiner on its last aligned packets; the joiner answers at once (a follower at the first
 * boot waits a little for packets the leader captured before it did).
 */
public record BootHash(int attempt, List<String> members, PacketHash[] hashes, boolean join) {
    /** The first boot's message. */
    public BootHash(int attempt, List<String> members, PacketHash[] hashes) {
        this(attempt, members, hashes, false);
    }
}
