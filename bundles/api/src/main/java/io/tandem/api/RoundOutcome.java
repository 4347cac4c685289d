package io.tandem.api;

/**
 * How a synchronization round ended at one replica (the cases of thesis Figure 13) and what it means for an
 * analyzer that may have consumed packets early (optimistic modes).
 */
public enum RoundOutcome {
    /** Cluster hashes matched: the round's k packets are aligned. */
    SYNCED(Signal.OK),
    /** Case -1: an anchor closes the window and this replica lost nothing; peers recovered from it. */
    PEERS_RECOVERED(Signal.OK),
    /** Case -2: an anchor closes the window and this replica inserted packets recovered from peers. */
    RECOVERED(Signal.NOT_OK),
    /** Default case: realigned up to an anchor inside the window; what follows it is not yet compared. */
    PARTIAL(Signal.UNKNOWN),
    /** Default case where this replica also inserted packets before the anchor. */
    PARTIAL_RECOVERED(Signal.NOT_OK),
    /** Case -3: no anchor; the desync level rises and the next round looks at k more packets. */
    NO_ANCHOR(Signal.UNKNOWN);

    /** Thesis SyncUpperLayer(): what the feeder of an optimistic analyzer does with the round. */
    public enum Signal { OK, NOT_OK, UNKNOWN }

    private final Signal signal;

    RoundOutcome(Signal signal) {
        this.signal = signal;
    }

    public Signal signal() {
        return signal;
    }
}
