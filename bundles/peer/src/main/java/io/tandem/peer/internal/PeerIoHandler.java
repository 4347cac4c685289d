package io.tandem.peer.internal;

import io.tandem.api.ClusterHashes;
import io.tandem.api.Packet;
import io.tandem.api.PeerRequestHandler;
import io.tandem.peer.internal.Message.*;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolDecoderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The protocol state machine, for both ends of every connection (see docs/protocol.md): login on the server
 * end (hello, login, login-ok or login-refused) and on the client end, then requests and pushes dispatched to
 * the {@link PeerRequestHandler} on the server end and answers matched to their requests on the client end.
 * Runs on MINA's I/O threads and never blocks; events of one connection arrive in order on one thread.
 */
final class PeerIoHandler extends IoHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(PeerIoHandler.class);

    private final PeerNetwork net;

    PeerIoHandler(PeerNetwork net) {
        this.net = net;
    }

    @Override
    public void sessionCreated(IoSession session) {
        // Client connections got their state from the connect initializer; an accepted one gets it here.
        if (SessionState.of(session) == null) SessionState.server().attach(session);
    }

    @Override
    public void sessionOpened(IoSession session) {
        SessionState st = SessionState.of(session);
        if (st.role == SessionState.Role.SERVER) {
            st.serverNonce = Auth.nonce();
            net.sendOrClose(st, new Hello(net.localId(), st.serverNonce));
        }
    }

    @Override
    public void messageReceived(IoSession session, Object message) {
        SessionState st = SessionState.of(session);
        Message m = (Message) message;
        if (st.isClosing() || net.isClosed()) return;
        net.markSeen(st);
        boolean server = st.role == SessionState.Role.SERVER;
        if (m.type().toServer != server) {
            net.fail(st, "unexpected " + m.type().label + " from the " + (server ? "client" : "server") + " end");
            return;
        }
        if (server) {
            onServerMessage(st, m);
        } else {
            onClientMessage(st, m);
        }
    }

    @Override
    public void exceptionCaught(IoSession session, Throwable cause) {
        SessionState st = SessionState.of(session);
        if (st == null) {
            session.closeNow();
        } else if (cause instanceof ProtocolViolation v) {
            net.fail(st, v.reason());
        } else if (cause instanceof IOException) {
            // The network broke (reset, unreachable): the peer loss reports it, with this reason.
            net.closeQuietly(st, "connection error: " + cause.getMessage());
        } else if (cause instanceof ProtocolDecoderException && cause.getCause() != null) {
            net.fail(st, "undecodable frame: " + cause.getCause());
        } else {
            log.warn("{}: unexpected error on {}", net.localId(), st.describe(), cause);
            net.fail(st, "internal error: " + cause);
        }
    }

    @Override
    public void sessionClosed(IoSession session) {
        SessionState st = SessionState.of(session);
        if (st != null) net.sessionClosed(st);
    }

    // ---------------------------------------------------------------- server end

    private void onServerMessage(SessionState st, Message m) {
        if (st.phase == SessionState.Phase.AWAIT_LOGIN) {
            if (m instanceof Login login) {
                onLogin(st, login);
            } else {
                net.fail(st, m.type().label + " before login");
            }
            return;
        }
        String peer = st.peerId;
        PeerRequestHandler h = net.handler();
        switch (m.type()) {
            case HEARTBEAT -> {
                // lastSeen was updated above; nothing else to do
            }
            case LOGIN -> net.fail(st, "second login");
            case PEERLIST -> {
                int id = ((PeerListRequest) m).requestId();
                net.answer(st, id, new PeerListAnswer(id, net.peerList(peer)));
            }
            case CHASH -> notifyHandler(st, m, () -> h.onClusterHash(peer, ((ClusterHashPush) m).notice()));
            case BOOTSTART -> notifyHandler(st, m, () -> h.onBootStart(peer, ((BootStartPush) m).start()));
            case BOOTHASHFATAL -> notifyHandler(st, m, () -> h.onBootHashFatal(peer, ((BootHashFatal) m).reason()));
            case VIEW -> notifyHandler(st, m, () -> h.onViewProposal(peer, ((ViewPush) m).proposal()));
            case ALERTS -> notifyHandler(st, m, () -> h.onAlertDigest(peer, ((AlertsPush) m).digest()));
            case GETCLHASHES -> {
                GetClusterHashes r = (GetClusterHashes) m;
                answerLater(st, r, () -> h.onGetClusterHashes(peer, r.round(), r.epoch()),
                        (ClusterHashes c) -> new ClusterHashesAnswer(r.requestId(), c));
            }
            case BOOTHASH -> {
                BootHashRequest r = (BootHashRequest) m;
                answerLater(st, r, () -> h.onBootHash(peer, r.boot()), ack -> new BootAckAnswer(r.requestId(), ack));
            }
            case GETPACKET -> onGetPackets(st, (GetPackets) m, h);
            default -> net.fail(st, "unexpected " + m.type().label + " from the client end");
        }
    }

    private void onLogin(SessionState st, Login login) {
        String id = login.clientId();
        byte[] expected = net.auth().clientMac(st.serverNonce, login.nonce(), net.localId(), id);
        if (!Auth.same(expected, login.mac())) {
            net.refuse(st, id, "authentication failed");
            return;
        }
        // Only an authenticated peer learns our parameters from the refusal.
        List<String> differences = net.parameters().differences(login.parameters());
        if (!differences.isEmpty()) {
            net.refuse(st, id, "cluster parameters differ: " + String.join(", ", differences));
            return;
        }
        if (id.equals(net.localId())) {
            net.refuse(st, id, "replica id " + id + " is this replica's own id");
            return;
        }
        String host = wildcard(login.listenHost()) ? remoteIp(st) : login.listenHost();
        PeerNetwork.Registration registration = net.registerIncoming(st, login, host);
        if (registration.refusal() != null) {
            net.refuse(st, id, registration.refusal());
            return;
        }
        st.peerMaxFrameBytes = login.maxFrameBytes();
        st.phase = SessionState.Phase.LOGGED_IN;
        byte[] proof = net.auth().serverProof(st.serverNonce, login.nonce(), net.localId(), id);
        net.sendOrClose(st, new LoginOk(proof, net.parameters(), net.settings().maxFrameBytes()));
        log.info("{}: {} logged in from {}", net.localId(), id, st.remoteAddress());
        if (registration.openReverse()) {
            // The thesis's reverse channel: our own login to the peer, so that we can send it requests too.
            net.connect(id, host, login.listenPort());
        }
    }

    private static boolean wildcard(String host) {
        return host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0") || host.equals("*");
    }

    private static String remoteIp(SessionState st) {
        InetSocketAddress a = (InetSocketAddress) st.session().getRemoteAddress();
        return a.getAddress().getHostAddress();
    }

    /** Calls the handler for a push; a handler that throws is logged, the connection stays up. */
    private void notifyHandler(SessionState st, Message m, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("{}: handler failed on {} from {}", net.localId(), m.type().label, st.name(), e);
        }
    }

    /** Answers once the handler's future completes, from whatever thread completes it. */
    private <T> void answerLater(SessionState st, Request r, Supplier<CompletableFuture<T>> call, Function<T, Message> toAnswer) {
        CompletableFuture<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            net.answerError(st, r.requestId(), describe(e));
            return;
        }
        if (f == null) {
            net.answerError(st, r.requestId(), "the handler returned no future for " + r.type().label);
            return;
        }
        f.whenComplete((result, failure) -> {
            if (failure != null) {
                net.answerError(st, r.requestId(), describe(failure));
            } else if (result == null) {
                net.answerError(st, r.requestId(), "the handler completed " + r.type().label + " with null");
            } else {
                net.answer(st, r.requestId(), toAnswer.apply(result));
            }
        });
    }

    /** Answers as many packets as fit in one frame of the client's limit; the client asks again for the rest. */
    private void onGetPackets(SessionState st, GetPackets r, PeerRequestHandler h) {
        Packet[] all;
        try {
            all = h.onGetPackets(st.peerId, r.originals());
        } catch (RuntimeException e) {
            net.answerError(st, r.requestId(), describe(e));
            return;
        }
        if (all == null || all.length != r.originals().length) {
            net.answerError(st, r.requestId(), "the handler returned " + (all == null ? "null" : all.length + " packets")
                    + " for " + r.originals().length + " originals");
            return;
        }
        long budget = st.peerMaxFrameBytes - Wire.PACKETS_FIXED_BYTES;
        int n = 0;
        while (n < all.length && Wire.packetEntryBytes(all[n]) <= budget) {
            budget -= Wire.packetEntryBytes(all[n]);
            n++;
        }
        if (n == 0 && all.length > 0) {
            net.answerError(st, r.requestId(), "packet " + r.originals()[0] + " of " + all[0].data().length
                    + " bytes does not fit in a frame of " + st.peerMaxFrameBytes + " bytes");
            return;
        }
        net.answer(st, r.requestId(), new PacketsAnswer(r.requestId(), n == all.length ? all : Arrays.copyOf(all, n)));
    }

    private static String describe(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    // ---------------------------------------------------------------- client end

    private void onClientMessage(SessionState st, Message m) {
        switch (st.phase) {
            case AWAIT_HELLO -> {
                if (m instanceof Hello hello) {
                    onHello(st, hello);
                } else {
                    net.fail(st, "expected hello from " + st.target() + ", got " + m.type().label);
                }
            }
            case AWAIT_LOGIN_OK -> {
                if (m instanceof LoginOk ok) {
                    onLoginOk(st, ok);
                } else if (m instanceof LoginRefused refused) {
                    // The caller of the login reports this (start() throws it, a reverse channel drops the peer).
                    net.closeQuietly(st, "refused by " + st.peerId + " at " + st.target() + ": " + refused.reason());
                } else {
                    net.fail(st, "expected login-ok from " + st.target() + ", got " + m.type().label);
                }
            }
            case LOGGED_IN -> {
                if (m instanceof Answer a) {
                    net.onAnswer(st, a);
                } else {
                    net.fail(st, "unexpected " + m.type().label + " after login");
                }
            }
            default -> net.fail(st, "unexpected " + m.type().label);
        }
    }

    private void onHello(SessionState st, Hello hello) {
        String id = hello.serverId();
        if (st.expectedId != null && !st.expectedId.equals(id)) {
            net.fail(st, "expected " + st.expectedId + " at " + st.target() + " but " + id + " answered");
            return;
        }
        if (id.equals(net.localId())) {
            net.fail(st, "the replica at " + st.target() + " has this replica's own id " + id);
            return;
        }
        if (st.expectedId == null) {
            String refusal = net.claimOutgoing(st, id);
            if (refusal != null) {
                net.fail(st, refusal);
                return;
            }
        }
        st.peerId = id;
        st.serverNonce = hello.nonce();
        st.clientNonce = Auth.nonce();
        byte[] mac = net.auth().clientMac(st.serverNonce, st.clientNonce, id, net.localId());
        st.phase = SessionState.Phase.AWAIT_LOGIN_OK;
        net.sendOrClose(st, new Login(net.localId(), net.settings().listenHost(), net.boundPort(),
                net.parameters(), net.settings().maxFrameBytes(), st.clientNonce, mac));
    }

    private void onLoginOk(SessionState st, LoginOk ok) {
        byte[] expected = net.auth().serverProof(st.serverNonce, st.clientNonce, st.peerId, net.localId());
        if (!Auth.same(expected, ok.proof())) {
            net.fail(st, st.peerId + " at " + st.target() + " failed to prove the cluster secret");
            return;
        }
        List<String> differences = ok.parameters().differences(net.parameters());
        if (!differences.isEmpty()) {
            net.fail(st, st.peerId + " at " + st.target() + " has other cluster parameters: " + String.join(", ", differences));
            return;
        }
        st.peerMaxFrameBytes = ok.maxFrameBytes();
        st.phase = SessionState.Phase.LOGGED_IN;
        if (net.outgoingLoggedIn(st)) {
            st.login.complete(st.peerId);
        } else {
            // Its other channel closed meanwhile; sessionClosed fails the login with this reason.
            net.closeQuietly(st, st.peerId + " was dropped while logging in");
        }
    }
}
