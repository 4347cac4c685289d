package io.tandem.peer.internal;

import io.tandem.api.BootAck;
import io.tandem.api.BootHash;
import io.tandem.api.BootStart;
import io.tandem.api.ClusterHashNotice;
import io.tandem.api.ClusterHashes;
import io.tandem.api.ClusterParameters;
import io.tandem.api.Packet;
import io.tandem.api.ViewProposal;
import io.tandem.api.AlertDigest;

import java.util.List;

/**
 * One frame's worth of protocol: the message types of docs/protocol.md. Records carry the api value types
 * where one exists, so the wire format is the only translation between the sync engine and the network.
 */
public sealed interface Message {

    Type type();

    /** Message type codes. {@code toServer}: sent by the side that opened the connection. */
    enum Type {
        HELLO(0x01, "hello", false),
        LOGIN(0x02, "login", true),
        LOGIN_OK(0x03, "login-ok", false),
        LOGIN_REFUSED(0x04, "login-refused", false),
        HEARTBEAT(0x05, "heartbeat", true),
        PEERLIST(0x10, "peerlist", true),
        PEERLIST_ANSWER(0x11, "peerlist-answer", false),
        BOOTHASH(0x12, "boothash", true),
        BOOTACK(0x13, "bootack", false),
        BOOTSTART(0x14, "bootstart", true),
        BOOTHASHFATAL(0x15, "boothashfatal", true),
        CHASH(0x16, "chash", true),
        GETCLHASHES(0x17, "getclhashes", true),
        CLHASHES(0x18, "clhashes", false),
        GETPACKET(0x19, "getpacket", true),
        PACKETS(0x1A, "packets", false),
        VIEW(0x1B, "view", true),
        ALERTS(0x1C, "alerts", true),
        ERROR(0x1F, "error", false);

        private static final Type[] BY_CODE = new Type[256];

        static {
            for (Type t : values()) BY_CODE[t.code] = t;
        }

        public final int code;
        public final String label;
        public final boolean toServer;

        Type(int code, String label, boolean toServer) {
            this.code = code;
            this.label = label;
            this.toServer = toServer;
        }

        /** The type with this code, or null for a code this version does not know. */
        public static Type of(int code) {
            return code >= 0 && code < 256 ? BY_CODE[code] : null;
        }
    }

    /** A request: the peer answers with an {@link Answer} carrying the same id. */
    sealed interface Request extends Message {
        int requestId();
    }

    /** An answer to a {@link Request}, or an {@link ErrorAnswer}. */
    sealed interface Answer extends Message {
        int requestId();
    }

    /** Server to client, first frame on every connection: who the server is and its login challenge. */
    record Hello(String serverId, byte[] nonce) implements Message {
        public Type type() { return Type.HELLO; }
    }

    /** Client to server: who the client is, where its reverse channel should go, and its proof of the secret. */
    record Login(String clientId, String listenHost, int listenPort, ClusterParameters parameters, int maxFrameBytes,
                 byte[] nonce, byte[] mac) implements Message {
        public Type type() { return Type.LOGIN; }
    }

    /** Server to client: the server's proof of the secret (mutual authentication) and its parameters. */
    record LoginOk(byte[] proof, ClusterParameters parameters, int maxFrameBytes) implements Message {
        public Type type() { return Type.LOGIN_OK; }
    }

    record LoginRefused(String reason) implements Message {
        public Type type() { return Type.LOGIN_REFUSED; }
    }

    record Heartbeat() implements Message {
        public static final Heartbeat INSTANCE = new Heartbeat();

        public Type type() { return Type.HEARTBEAT; }
    }

    record PeerListRequest(int requestId) implements Request {
        public Type type() { return Type.PEERLIST; }
    }

    /** A peer as listed by {@code peerlist}: its id and where it listens. */
    record PeerAddress(String id, String host, int port) {
    }

    record PeerListAnswer(int requestId, List<PeerAddress> peers) implements Answer {
        public Type type() { return Type.PEERLIST_ANSWER; }
    }

    record BootHashRequest(int requestId, BootHash boot) implements Request {
        public Type type() { return Type.BOOTHASH; }
    }

    record BootAckAnswer(int requestId, BootAck ack) implements Answer {
        public Type type() { return Type.BOOTACK; }
    }

    record BootStartPush(BootStart start) implements Message {
        public Type type() { return Type.BOOTSTART; }
    }

    record ViewPush(ViewProposal proposal) implements Message {
        public Type type() { return Type.VIEW; }
    }

    record AlertsPush(AlertDigest digest) implements Message {
        public Type type() { return Type.ALERTS; }
    }

    record BootHashFatal(String reason) implements Message {
        public Type type() { return Type.BOOTHASHFATAL; }
    }

    record ClusterHashPush(ClusterHashNotice notice) implements Message {
        public Type type() { return Type.CHASH; }
    }

    record GetClusterHashes(int requestId, long round, long epoch) implements Request {
        public Type type() { return Type.GETCLHASHES; }
    }

    record ClusterHashesAnswer(int requestId, ClusterHashes hashes) implements Answer {
        public Type type() { return Type.CLHASHES; }
    }

    record GetPackets(int requestId, long[] originals) implements Request {
        public Type type() { return Type.GETPACKET; }
    }

    /**
     * The answer to {@code getpacket}: entries for the first {@code packets.length} originals asked for (all of
     * them unless the answer would not fit in one frame), null where the peer holds no such packet.
     */
    record PacketsAnswer(int requestId, Packet[] packets) implements Answer {
        public Type type() { return Type.PACKETS; }
    }

    /** The peer could not answer request {@code requestId}. */
    record ErrorAnswer(int requestId, String message) implements Answer {
        public Type type() { return Type.ERROR; }
    }
}
