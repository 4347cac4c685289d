package io.tandem.api;

/** Sends this replica's alert digest to every other member of its view. Never blocks; a lost peer is skipped. */
@FunctionalInterface
public interface AlertDigestChannel {
    void send(AlertDigest digest);
}
