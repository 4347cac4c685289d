package io.tandem.analyzer.rules.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The flows of one session, least recently used first. Bounded by a count (the least recently used flow is evicted)
 * and by idleness counted in stream positions, not in capture time: every replica's aligned stream has the same
 * positions but not the same timestamps, and a flow must end at the same packet everywhere for alerts to agree.
 */
public final class FlowTable {
    private final LinkedHashMap<FlowKey, Flow> flows = new LinkedHashMap<>(1024, 0.75f, true);
    private final int maxFlows;
    private final long idlePackets;
    public long created, evicted, timedOut;

    public FlowTable(int maxFlows, long idlePackets) {
        this.maxFlows = maxFlows;
        this.idlePackets = idlePackets;
    }

    public int size() {
        return flows.size();
    }

    Flow get(FlowKey key, long position) {
        Flow f = flows.get(key);
        if (f != null) f.lastPosition = position;
        return f;
    }

    void put(Flow f) {
        flows.put(f.key, f);
        created++;
        if (flows.size() > maxFlows) {
            Iterator<Map.Entry<FlowKey, Flow>> it = flows.entrySet().iterator();
            it.next();
            it.remove();
            evicted++;
        }
    }

    void remove(Flow f) {
        flows.remove(f.key);
    }

    /** Drops flows idle for more than the limit; the least recently used come first, so this stops early. */
    void expire(long position) {
        Iterator<Map.Entry<FlowKey, Flow>> it = flows.entrySet().iterator();
        while (it.hasNext()) {
            Flow f = it.next().getValue();
            if (position - f.lastPosition <= idlePackets) return;
            it.remove();
            timedOut++;
        }
    }
}
