package io.tandem.api;

import java.util.List;

/**
 * The {@code boothash} message from the leader: the hashes of its first packets after bootstrap started,
 * and the replicas taking part (sorted replica ids, the leader included).
 */
public record BootHash(int attempt, List<String> members, PacketHash[] hashes) {
}
