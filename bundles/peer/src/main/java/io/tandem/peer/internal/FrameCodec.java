package io.tandem.peer.internal;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.CumulativeProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolCodecFactory;
import org.apache.mina.filter.codec.ProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolDecoderOutput;
import org.apache.mina.filter.codec.ProtocolEncoder;
import org.apache.mina.filter.codec.ProtocolEncoderAdapter;
import org.apache.mina.filter.codec.ProtocolEncoderOutput;

import java.nio.ByteOrder;

/**
 * The frame codec: {@code "TN"}, version, type, u32 payload length, payload (docs/protocol.md).
 *
 * <p>The decoder rejects a frame as soon as its header shows it is bad (magic, version, type, length over the
 * limit), so an oversized length is never waited for nor allocated. The sending side encodes frames itself with
 * {@link #encode} (so size and encoding errors surface in the sender, not in the I/O thread) and writes the
 * buffer, which the codec filter passes through; the encoder handles {@link Message} objects written directly.
 */
public final class FrameCodec implements ProtocolCodecFactory {
    public static final byte MAGIC_0 = 'T';
    public static final byte MAGIC_1 = 'N';
    /** 2: BOOTHASH carries the join flag (a version 1 replica cannot read it, and says so at the first frame). */
    public static final int VERSION = 3;
    public static final int HEADER_BYTES = 8;

    private final ProtocolEncoder encoder = new Encoder();
    private final ProtocolDecoder decoder;

    /** @param maxFrameBytes the largest payload this side accepts */
    public FrameCodec(int maxFrameBytes) {
        this.decoder = new Decoder(maxFrameBytes);
    }

    @Override
    public ProtocolEncoder getEncoder(IoSession session) {
        return encoder;
    }

    @Override
    public ProtocolDecoder getDecoder(IoSession session) {
        return decoder;
    }

    /** The complete frame for {@code m}, flipped and ready to write. */
    public static IoBuffer encode(Message m) {
        IoBuffer out = IoBuffer.allocate(256).setAutoExpand(true);
        out.order(ByteOrder.BIG_ENDIAN);
        out.put(MAGIC_0).put(MAGIC_1).put((byte) VERSION).put((byte) m.type().code).putInt(0);
        Wire.writePayload(m, out);
        out.putInt(4, out.position() - HEADER_BYTES);
        return out.flip();
    }

    private static final class Encoder extends ProtocolEncoderAdapter {
        @Override
        public void encode(IoSession session, Object message, ProtocolEncoderOutput out) {
            out.write(FrameCodec.encode((Message) message));
        }
    }

    private static final class Decoder extends CumulativeProtocolDecoder {
        private final int maxFrameBytes;

        Decoder(int maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
        }

        @Override
        protected boolean doDecode(IoSession session, IoBuffer in, ProtocolDecoderOutput out) throws Exception {
            SessionState state = SessionState.of(session);
            if (state != null && state.isClosing()) {
                // The connection is being closed for a reason already logged: whatever else arrives is dropped.
                in.position(in.limit());
                return false;
            }
            int pos = in.position();
            int n = in.remaining();
            if (n >= 1 && in.get(pos) != MAGIC_0 || n >= 2 && in.get(pos + 1) != MAGIC_1) {
                String seen = n >= 2 ? String.format("0x%02x%02x", in.get(pos), in.get(pos + 1)) : String.format("0x%02x", in.get(pos));
                throw new ProtocolViolation("bad magic " + seen + " (not a Tandem peer)");
            }
            if (n >= 3 && in.get(pos + 2) != VERSION) {
                throw new ProtocolViolation("unsupported protocol version " + (in.get(pos + 2) & 0xFF) + " (this replica speaks " + VERSION + ")");
            }
            Message.Type type = n >= 4 ? Message.Type.of(in.get(pos + 3) & 0xFF) : null;
            if (n >= 4 && type == null) {
                throw new ProtocolViolation(String.format("unknown message type 0x%02x", in.get(pos + 3) & 0xFF));
            }
            if (n < HEADER_BYTES) return false;
            long length = in.getUnsignedInt(pos + 4);
            if (length > maxFrameBytes) {
                throw new ProtocolViolation(type.label + " frame of " + length + " bytes is over the limit of " + maxFrameBytes + " bytes");
            }
            if (n < HEADER_BYTES + length) return false;
            in.position(pos + HEADER_BYTES);
            IoBuffer payload = in.getSlice((int) length);
            out.write(Wire.decode(type, payload.buf().slice()));
            return true;
        }
    }
}
