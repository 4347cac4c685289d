package io.tandem.api;

import java.io.IOException;

/**
 * An IDS behind the feeder: a bundle registers this service (property {@code analyzer.name} = {@link #name()}) and
 * the replica feeds the one its configuration names. New analyzers need no change elsewhere.
 */
public interface Analyzer {

    /** Short name used in configuration and in alerts: "rules", "suricata". */
    String name();

    /**
     * Starts analyzing an aligned stream. The session is fed packets in position order, from one thread; its
     * alerts go to {@code alerts}.
     *
     * @throws IOException when the analyzer cannot start (message says why, in one line)
     */
    AnalyzerSession open(StreamInfo stream, AlertSink alerts) throws IOException;
}
