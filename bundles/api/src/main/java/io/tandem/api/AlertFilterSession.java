package io.tandem.api;

import java.util.List;

/** One replica incarnation's side of the alert filter. Thread-safe. */
public interface AlertFilterSession extends AlertSink, AutoCloseable {

    /** The local analyzer has raised every alert of the packets below this position. */
    void analyzedUpTo(long position);

    /** The members of the current view, this replica included, once agreed (and after every view change). */
    void onView(List<String> members);

    /** A peer's digest arrived. */
    void onDigest(String peerId, AlertDigest digest);

    /** The stream ended: alerts still waiting on peers that will not answer any more are decided now. */
    void finish();

    @Override
    void close();
}
