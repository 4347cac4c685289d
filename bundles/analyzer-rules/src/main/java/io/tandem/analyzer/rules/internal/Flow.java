package io.tandem.analyzer.rules.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A 5-tuple conversation. The client is the side that sent the first SYN, or, for a flow picked up without one, the
 * sender of the first packet seen (or the receiver, when that packet is a SYN/ACK).
 */
public final class Flow {
    final FlowKey key;
    /** The client's address and port as seen in packets, to tell directions apart. */
    final boolean clientIsA;
    long lastPosition;

    boolean synSeen, synAckSeen, established, midstream, closed;
    boolean seenToServer, seenToClient;
    int finToServer, finToClient;
    boolean rst;

    TcpStream toServer, toClient;
    HttpParser httpRequests, httpResponses;
    final ArrayDeque<String> httpMethods = new ArrayDeque<>();
    /** Client TLS bytes until the client hello is parsed; null once done. */
    byte[] tlsHello = new byte[0];
    boolean tlsDone;

    Set<String> flowbits;
    /** Per stream direction: rule -> stream offset where its fast pattern was last seen (see Inspector). */
    Map<Rule, Long> fastHitsToServer, fastHitsToClient;

    Flow(FlowKey key, boolean clientIsA, long position) {
        this.key = key;
        this.clientIsA = clientIsA;
        this.lastPosition = position;
    }

    /** @return true when the packet (whose endpoint A-ness is given) goes from client to server */
    boolean toServer(boolean srcIsA) {
        return srcIsA == clientIsA;
    }

    boolean isSet(String bit) {
        return flowbits != null && flowbits.contains(bit);
    }

    void set(String bit) {
        if (flowbits == null) flowbits = new HashSet<>();
        flowbits.add(bit);
    }

    void unset(String bit) {
        if (flowbits != null) flowbits.remove(bit);
    }

    Map<Rule, Long> fastHits(boolean toServerDir) {
        if (toServerDir) {
            if (fastHitsToServer == null) fastHitsToServer = new HashMap<>();
            return fastHitsToServer;
        }
        if (fastHitsToClient == null) fastHitsToClient = new HashMap<>();
        return fastHitsToClient;
    }
}
