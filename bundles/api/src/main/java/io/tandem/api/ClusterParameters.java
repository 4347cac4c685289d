package io.tandem.api;

import java.util.ArrayList;
import java.util.List;

/**
 * The cluster-wide parameters: every replica must use the same ones or their hashes cannot agree. The leader's
 * are sent at login; a replica configured with different ones is refused rather than silently diverging.
 *
 * @param clusterSize k, packets per round (thesis default 56)
 * @param anchorSize  l, consecutive packets every replica must hold to realign (default 4)
 * @param hashName    packet hash function name (default md5)
 * @param snippet     bytes of each packet that are hashed (default 128; the thesis used 56, see docs/benchmarks.md "Repeated hashes")
 */
public record ClusterParameters(int clusterSize, int anchorSize, String hashName, int snippet) {
    public static final ClusterParameters DEFAULTS = new ClusterParameters(56, 4, "md5", 128);

    public ClusterParameters {
        if (clusterSize < 2 || clusterSize > 65536) throw new IllegalArgumentException("cluster.size must be 2..65536, not " + clusterSize);
        if (anchorSize < 1 || anchorSize > clusterSize) throw new IllegalArgumentException("anchor.size must be 1..cluster.size (" + clusterSize + "), not " + anchorSize);
        if (hashName == null || hashName.isBlank()) throw new IllegalArgumentException("hash name is empty");
        if (snippet < 1 || snippet > 65535) throw new IllegalArgumentException("snippet must be 1..65535 bytes, not " + snippet);
    }

    /** Human-readable list of the parameters that differ from {@code other}; empty when they agree. */
    public List<String> differences(ClusterParameters other) {
        List<String> d = new ArrayList<>();
        if (clusterSize != other.clusterSize) d.add("cluster.size " + clusterSize + " vs " + other.clusterSize);
        if (anchorSize != other.anchorSize) d.add("anchor.size " + anchorSize + " vs " + other.anchorSize);
        if (!hashName.equals(other.hashName)) d.add("hash " + hashName + " vs " + other.hashName);
        if (snippet != other.snippet) d.add("snippet " + snippet + " vs " + other.snippet);
        return d;
    }
}
