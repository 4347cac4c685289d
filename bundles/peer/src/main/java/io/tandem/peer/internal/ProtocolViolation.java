package io.tandem.peer.internal;

import org.apache.mina.filter.codec.ProtocolDecoderException;

/**
 * A peer broke the protocol: the connection is closed and {@link #reason()} logged once. Extends MINA's
 * decoder exception so the codec filter passes it on as is; the empty hex dump stops MINA from dumping a
 * possibly huge buffer into the message.
 */
public final class ProtocolViolation extends ProtocolDecoderException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public ProtocolViolation(String reason) {
        super(reason);
        this.reason = reason;
        setHexdump("");
    }

    /** One line saying what was wrong, without the hex dump decoration. */
    public String reason() {
        return reason;
    }
}
