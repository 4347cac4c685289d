package io.tandem.api;

/**
 * Makes a replica's hash database (OSGi service of the hashdb bundle, config pid {@code io.tandem.hashdb}): the
 * capacity and what happens when full are the hashdb bundle's configuration, the hash function and snippet are
 * the cluster's.
 */
public interface HashDatabaseFactory {
    /**
     * A new, empty database hashing with {@code p.hashName()} over {@code p.snippet()} bytes.
     *
     * @throws IllegalArgumentException if no hash function of that name is available (the message lists those that are)
     */
    HashDatabase create(ClusterParameters p);
}
