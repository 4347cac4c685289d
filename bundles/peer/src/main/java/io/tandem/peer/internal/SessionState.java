package io.tandem.peer.internal;

import io.tandem.peer.PeerSettings;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one connection knows about itself: which end it is, how far the login got, who the peer is and, on
 * the client end, the requests waiting for answers. Protocol fields change only on the session's I/O thread;
 * the volatile ones are also read by senders and the heartbeat timer.
 */
public final class SessionState {
    private static final AttributeKey KEY = new AttributeKey(SessionState.class, "state");

    /** SERVER: the connection was accepted (answers requests). CLIENT: this replica opened it (sends requests). */
    public enum Role { SERVER, CLIENT }

    public enum Phase { AWAIT_HELLO, AWAIT_LOGIN, AWAIT_LOGIN_OK, LOGGED_IN }

    /** A request sent on a client connection, waiting for its answer. */
    record Pending(Message.Type requestType, Message.Type answerType, CompletableFuture<Message> future) {
    }

    final Role role;
    /** Client end: where we connect, and (when known beforehand) the id we expect to find there. */
    final String targetHost;
    final int targetPort;
    final String expectedId;

    private volatile IoSession session;
    volatile Phase phase;
    volatile String peerId;
    /** The registry entry this connection belongs to, once logged in (or claimed, for a client connection). */
    volatile Peer peer;
    volatile Peer claim;
    volatile int peerMaxFrameBytes = PeerSettings.MIN_FRAME_BYTES;
    byte[] serverNonce;
    byte[] clientNonce;

    private volatile boolean closing;
    private volatile String closeReason;
    /** The close reason was already logged at warn: the peer loss it causes is then logged at info only. */
    volatile boolean reasonLogged;

    /** Client end: completes with the server's id once logged in, exceptionally with the reason otherwise. */
    final CompletableFuture<String> login = new CompletableFuture<>();
    final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextRequestId = new AtomicInteger();

    private SessionState(Role role, Phase phase, String targetHost, int targetPort, String expectedId) {
        this.role = role;
        this.phase = phase;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.expectedId = expectedId;
    }

    static SessionState server() {
        return new SessionState(Role.SERVER, Phase.AWAIT_LOGIN, null, 0, null);
    }

    static SessionState client(String expectedId, String host, int port) {
        return new SessionState(Role.CLIENT, Phase.AWAIT_HELLO, host, port, expectedId);
    }

    static SessionState of(IoSession session) {
        return (SessionState) session.getAttribute(KEY);
    }

    void attach(IoSession session) {
        this.session = session;
        session.setAttribute(KEY, this);
    }

    IoSession session() {
        return session;
    }

    int nextRequestId() {
        return nextRequestId.incrementAndGet();
    }

    /** Marks the connection as going away; true only the first time, so its reason is logged once. */
    synchronized boolean markClosing(String reason) {
        if (closing) return false;
        closing = true;
        closeReason = reason;
        return true;
    }

    boolean isClosing() {
        return closing;
    }

    String closeReason() {
        return closeReason;
    }

    /** "host:port" of the target, for a client connection. */
    String target() {
        return targetHost + ":" + targetPort;
    }

    /** The peer's address as "ip:port" (no leading slash), or "?" before the connection exists. */
    String remoteAddress() {
        IoSession s = session;
        SocketAddress a = s == null ? null : s.getRemoteAddress();
        if (a instanceof InetSocketAddress isa) {
            return (isa.getAddress() != null ? isa.getAddress().getHostAddress() : isa.getHostString()) + ":" + isa.getPort();
        }
        return a == null ? "?" : a.toString();
    }

    /** The peer's id when known, its address otherwise: for "channel to X closed" messages. */
    String name() {
        String id = peerId;
        if (id != null) return id;
        return role == Role.CLIENT ? target() : remoteAddress();
    }

    /** For log lines: which connection, with the remote address always in it. */
    String describe() {
        String id = peerId;
        if (role == Role.SERVER) return "connection from " + remoteAddress() + (id != null ? " (" + id + ")" : "");
        return "connection to " + (id != null ? id + " at " : "") + target();
    }
}
