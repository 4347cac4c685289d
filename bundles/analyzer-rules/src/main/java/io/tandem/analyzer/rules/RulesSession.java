package io.tandem.analyzer.rules;

import io.tandem.analyzer.rules.internal.Inspector;
import io.tandem.api.AlertSink;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.Packet;
import io.tandem.api.StreamInfo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of the rules over an aligned stream. Alerts are raised synchronously inside {@link #analyze}, so
 * {@link #completed()} is simply the last analyzed position + 1. A malformed packet is counted and skipped; nothing
 * a packet holds makes analyze() throw.
 */
public final class RulesSession implements AnalyzerSession {
    private final Inspector inspector;
    private volatile long completed;
    private long last = -1;
    private volatile boolean closed;
    /** Packets the feeder dropped before us (gaps between positions). */
    private long skippedPositions;

    RulesSession(RuleSet rules, EngineSettings settings, StreamInfo stream, AlertSink alerts) {
        this.inspector = new Inspector(rules.detection(), settings, stream.linkType(), alerts);
        this.completed = stream.firstPosition();
        this.last = stream.firstPosition() - 1;
    }

    @Override
    public void analyze(long position, Packet packet) {
        if (closed) throw new IllegalStateException("rules session is closed");
        if (position <= last) throw new IllegalArgumentException("position " + position + " is not after " + last);
        skippedPositions += position - last - 1;
        last = position;
        inspector.packet(position, packet);
        completed = position + 1;
    }

    @Override
    public long completed() {
        return completed;
    }

    @Override
    public void finish() {
        // alerts are raised inside analyze(): nothing is pending
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Counters for status and tests, in a stable order. */
    public Map<String, Long> stats() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("packets", inspector.packets);
        m.put("positions.skipped", skippedPositions);
        m.put("packets.not_ip", inspector.notIp);
        m.put("packets.malformed", inspector.malformed);
        m.put("alerts", inspector.alerts);
        m.put("flows", (long) inspector.flows().size());
        m.put("flows.created", inspector.flows().created);
        m.put("flows.evicted", inspector.flows().evicted);
        m.put("flows.timed_out", inspector.flows().timedOut);
        m.put("stream.gaps", inspector.streamGaps);
        m.put("match.budget_exceeded", inspector.budgetExceeded());
        return m;
    }
}
