package io.tandem.api;

/**
 * What a running replica reports (OSGi service of the sync bundle, registered while the replica is assembled):
 * the shell's {@code tandem:status}, {@code tandem:peers} and {@code tandem:stats} read it.
 */
public interface ReplicaStatus {
    /** A consistent-enough view now (counters are read one after another, not under one lock). */
    ReplicaSnapshot snapshot();
}
