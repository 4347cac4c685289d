package io.tandem.analyzer.pipe;

import io.tandem.analyzer.pipe.internal.PipeSession;
import io.tandem.api.AlertSink;
import io.tandem.api.Analyzer;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.StreamInfo;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An analyzer that runs an external IDS reading a pcap stream — Suricata 7 ({@code suricata -r <fifo>}) or any
 * program of the same shape — and reads its EVE JSON alerts. Plain Java: the DS component, the suricata-verify
 * harness and {@code tandem replay} all use this class.
 *
 * <p>One session is one process. Packets are written as classic pcap records into a FIFO on the feeder's thread;
 * alerts are mapped from EVE {@code pcap_cnt} (the record's 1-based number in this session) to the position written
 * as that record. If the process dies, {@code analyze} throws an IOException in one line (exit code and the last
 * line it printed); the feeder opens a new session from {@link AnalyzerSession#completed()} and replays.
 *
 * <p>What {@code completed()} means, honestly: the program never acknowledges a packet, so a packet counts as
 * analyzed once over 2 MiB were written after it (so it was read, and in single-thread mode analyzed) or once it was
 * in the live program's hands for {@link PipeSettings#settle()}; after {@code finish()} everything is. Replay after a
 * death re-feeds packets the old process may already have alerted on: those alerts come again with the same
 * (gid, sid, position) and the alert filter drops the duplicates. The new process starts without the old one's flow
 * state, so an alert that needed packets from before the restart may be missed.
 */
public final class PipeAnalyzer implements Analyzer {
    private final PipeSettings settings;
    private final Set<AnalyzerSession> open = ConcurrentHashMap.newKeySet();

    public PipeAnalyzer(PipeSettings settings) {
        this.settings = settings;
    }

    public PipeSettings settings() {
        return settings;
    }

    /** Set by {@link #closeAll()}: sessions still starting close themselves. */
    private volatile boolean closed;

    @Override
    public String name() {
        return settings.name();
    }

    /** @throws IOException in one line when the program cannot start (not found, rules missing or bad, bad arguments) */
    @Override
    public AnalyzerSession open(StreamInfo stream, AlertSink alerts) throws IOException {
        PipeSession s = PipeSession.open(settings, stream, alerts, open::remove);
        open.add(s);
        if (closed) { // closeAll() ran while this session was starting (a Suricata loading its rules takes seconds)
            s.close();
            throw new IOException(settings.name() + ": the analyzer was closed while the session started");
        }
        return s;
    }

    /** Sessions opened and not yet closed. */
    public List<AnalyzerSession> openSessions() {
        return List.copyOf(open);
    }

    /** Closes every open session (their processes are stopped): for a bundle that goes away. */
    public void closeAll() {
        closed = true;
        for (AnalyzerSession s : List.copyOf(open)) s.close();
    }

    @Override
    public String toString() {
        return "PipeAnalyzer[" + settings.name() + ": " + settings.command() + "]";
    }
}
