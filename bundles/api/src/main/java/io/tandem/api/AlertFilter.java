package io.tandem.api;

import java.util.List;

/**
 * The alert filter (bundle {@code tandem-alerts}): turns the alerts every replica raises into each distinct alert
 * reported once to the operator's outputs while at least one replica is alive. The replica opens one session per
 * incarnation and wires it to its analyzer, its view of the members and its peers.
 */
public interface AlertFilter {

    /**
     * @param localId this replica's id
     * @param peers   sends a digest to every other member (never blocks)
     */
    AlertFilterSession open(String localId, AlertDigestChannel peers);

    /** The most recent alerts reported by this replica, newest last (at most {@code max}). */
    List<Alert> recent(int max);

    /** The alert as this filter writes it to its EVE JSON output: one line, without the newline. */
    String eveLine(Alert alert, String reporter);

    /** Counters over all sessions of this filter. */
    AlertFilterStats stats();
}
