package io.tandem.analyzer.rules;

/**
 * Limits of one analyzer session (keys of config pid io.tandem.analyzer.rules in brackets).
 *
 * @param maxFlows          flows tracked at once; beyond it the least recently used is evicted [flow.max]
 * @param flowIdlePackets   a flow unseen for this many packets of the stream is dropped [flow.idle.packets]
 * @param streamWindow      reassembled bytes kept in front of new ones: the longest match that can span segments
 *                          [stream.window]
 * @param streamMaxWaiting  out-of-order bytes held per direction waiting for a hole to fill [stream.waiting.max]
 * @param streamDepth       bytes per direction reassembled and inspected, 0 = all [stream.depth]
 * @param midstream         pick up TCP connections whose handshake was not seen (treated as established) [stream.midstream]
 * @param httpHeaderLimit   largest HTTP start line + headers parsed [http.header.limit]
 * @param httpBodyLimit     HTTP body bytes inspected per message (after dechunking and decompression) [http.body.limit]
 */
public record EngineSettings(int maxFlows, long flowIdlePackets, int streamWindow, int streamMaxWaiting, long streamDepth,
                             boolean midstream, int httpHeaderLimit, int httpBodyLimit) {

    public static final EngineSettings DEFAULTS = new EngineSettings(65_536, 1_000_000, 16_384, 262_144, 1 << 20, true,
            32_768, 102_400);

    public EngineSettings {
        if (maxFlows < 1) throw new IllegalArgumentException("flow.max=" + maxFlows + ": must be at least 1");
        if (flowIdlePackets < 1) throw new IllegalArgumentException("flow.idle.packets=" + flowIdlePackets + ": must be at least 1");
        if (streamWindow < 0) throw new IllegalArgumentException("stream.window=" + streamWindow + ": must be 0 or more");
        if (streamMaxWaiting < 0) throw new IllegalArgumentException("stream.waiting.max=" + streamMaxWaiting + ": must be 0 or more");
        if (streamDepth < 0) throw new IllegalArgumentException("stream.depth=" + streamDepth + ": must be 0 (all) or more");
        if (httpHeaderLimit < 256) throw new IllegalArgumentException("http.header.limit=" + httpHeaderLimit + ": must be at least 256");
        if (httpBodyLimit < 0) throw new IllegalArgumentException("http.body.limit=" + httpBodyLimit + ": must be 0 or more");
    }

    public EngineSettings withMidstream(boolean on) {
        return new EngineSettings(maxFlows, flowIdlePackets, streamWindow, streamMaxWaiting, streamDepth, on, httpHeaderLimit, httpBodyLimit);
    }
}
