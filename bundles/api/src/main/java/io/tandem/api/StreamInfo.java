package io.tandem.api;

/**
 * What an analyzer session is told about the stream it is about to be fed.
 *
 * @param replicaId     the replica whose aligned stream it is
 * @param linkType      libpcap link type of every packet (1 Ethernet, 101 raw IP, 113 Linux SLL, 0 BSD null...)
 * @param firstPosition position of the first packet it will be fed (0 at bootstrap; later when reopened)
 */
public record StreamInfo(String replicaId, int linkType, long firstPosition) {
}
