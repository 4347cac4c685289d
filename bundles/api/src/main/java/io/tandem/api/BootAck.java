package io.tandem.api;

/**
 * A replica's answer to {@code boothash}: for each boot hash, the position (in the replica's pre-boot
 * numbering) of the newest held packet with that hash, or -1.
 */
public record BootAck(int attempt, long[] positions) {
}
