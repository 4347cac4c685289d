package io.tandem.api;

/**
 * Counters of a hash database. Every packet that reached {@link HashDatabase#register} is in exactly one of
 * registered, droppedFull or (before bootstrap) preBootDiscarded-after-registration.
 *
 * @param registered       packets registered from capture
 * @param recovered        packets registered as missed (recovered from peers)
 * @param droppedFull      captured packets dropped because the database was full
 * @param preBootDiscarded packets discarded before bootstrap (oldest first, or before the boot position), and at a
 *                         join those the members' delivered stream does not hold
 * @param held             packets held now
 * @param capacity         the configured capacity
 */
public record HashDatabaseStats(long registered, long recovered, long droppedFull, long preBootDiscarded, long held, int capacity) {
}
