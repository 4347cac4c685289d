package io.tandem.api;

/**
 * Makes a replica's connection manager (OSGi service of the peer bundle, config pid {@code io.tandem.peer}):
 * replica id, listen address, leader address, secret and timeouts are the peer bundle's configuration, the
 * cluster parameters (sent at login) are the caller's. Registered only while the cluster secret is configured.
 */
public interface ConnectionManagerFactory {
    /** A new connection manager, not started. */
    ConnectionManager create(ClusterParameters p);

    /** True if this replica leads the cluster (no leader address configured): it bootstraps the others. */
    boolean leader();
}
