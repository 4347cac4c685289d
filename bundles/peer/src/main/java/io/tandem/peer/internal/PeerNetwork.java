package io.tandem.peer.internal;

import io.tandem.api.ClusterParameters;
import io.tandem.api.Packet;
import io.tandem.api.PeerInfo;
import io.tandem.api.PeerRequestHandler;
import io.tandem.peer.PeerSettings;
import io.tandem.peer.internal.Message.*;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.ConnectFuture;
import org.apache.mina.core.service.IoService;
import org.apache.mina.core.service.SimpleIoProcessorPool;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.apache.mina.transport.socket.nio.NioSocketConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The connection manager's machinery: MINA services, the peer registry, outgoing logins, requests with their
 * timeouts, heartbeats and the bounded write path. The protocol state machine is {@link PeerIoHandler}.
 *
 * <p>Threads: one acceptor thread, one connector thread and a pool of two I/O processors shared by both, plus
 * one timer thread (heartbeats, timeouts). Nothing here blocks an I/O thread.
 */
public final class PeerNetwork {
    private static final Logger log = LoggerFactory.getLogger(PeerNetwork.class);
    private static final int IO_PROCESSORS = 2;

    private enum State { NEW, STARTED, CLOSED }

    /** A frame too large for the peer's advertised limit: refused before anything is written. */
    static final class FrameTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        FrameTooLargeException(String message) {
            super(message);
        }
    }

    private final PeerSettings settings;
    private final String localId;
    private final Auth auth;
    private final PeerIoHandler ioHandler = new PeerIoHandler(this);
    private volatile PeerRequestHandler handler;

    /** Guards {@link #peers}, {@link #state} and the registry fields of every {@link Peer}; awaitPeers waits on it. */
    private final Object lock = new Object();
    private final Map<String, Peer> peers = new TreeMap<>();
    private State state = State.NEW;
    /** Mirrors state == CLOSED for the per-message check on I/O threads, which should not take the lock. */
    private volatile boolean closed;

    private ExecutorService ioThreads;
    private SimpleIoProcessorPool<NioSession> processors;
    private NioSocketAcceptor acceptor;
    private NioSocketConnector connector;
    private ScheduledExecutorService timer;
    private volatile InetSocketAddress listenAddress;
    /** The bound port, kept after close so that a login racing with close() still has one to advertise. */
    private volatile int boundPort;

    public PeerNetwork(PeerSettings settings) {
        this.settings = settings;
        this.localId = settings.localId();
        this.auth = new Auth(settings.secret());
    }

    String localId() {
        return localId;
    }

    PeerSettings settings() {
        return settings;
    }

    ClusterParameters parameters() {
        return settings.parameters();
    }

    Auth auth() {
        return auth;
    }

    PeerRequestHandler handler() {
        return handler;
    }

    public void setHandler(PeerRequestHandler handler) {
        if (handler == null) throw new IllegalArgumentException("handler is null");
        this.handler = handler;
    }

    int boundPort() {
        return boundPort;
    }

    public InetSocketAddress listenAddress() {
        InetSocketAddress a = listenAddress;
        if (a == null) throw new IllegalStateException("replica " + localId + " is not started (or closed)");
        return a;
    }

    // ---------------------------------------------------------------- lifecycle

    public void start() throws IOException {
        synchronized (lock) {
            if (state != State.NEW) throw new IllegalStateException("replica " + localId + " was already started");
            if (handler == null) throw new IllegalStateException("setHandler must be called before start()");
            state = State.STARTED;
        }
        try {
            createServices();
            acceptor.bind(new InetSocketAddress(settings.listenHost(), settings.listenPort()));
            listenAddress = acceptor.getLocalAddress();
            boundPort = listenAddress.getPort();
            long beat = settings.heartbeatMillis();
            timer.scheduleWithFixedDelay(this::tick, beat, beat, TimeUnit.MILLISECONDS);
            log.info("{}: listening on {}", localId, listenAddress);
            if (settings.hasLeader()) joinCluster();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void createServices() {
        ioThreads = Executors.newCachedThreadPool(threads("io"));
        processors = new SimpleIoProcessorPool<>(NioProcessor.class, ioThreads, IO_PROCESSORS, null);
        acceptor = new NioSocketAcceptor(ioThreads, processors);
        acceptor.setReuseAddress(true);
        acceptor.getSessionConfig().setTcpNoDelay(true);
        acceptor.getSessionConfig().setReuseAddress(true);
        acceptor.getSessionConfig().setKeepAlive(true);
        acceptor.getFilterChain().addLast("codec", new ProtocolCodecFilter(new FrameCodec(settings.maxFrameBytes())));
        acceptor.setHandler(ioHandler);

        connector = new NioSocketConnector(ioThreads, processors);
        connector.getSessionConfig().setTcpNoDelay(true);
        connector.getSessionConfig().setReuseAddress(true);
        connector.getSessionConfig().setKeepAlive(true);
        connector.setConnectTimeoutMillis(settings.requestTimeoutMillis());
        connector.getFilterChain().addLast("codec", new ProtocolCodecFilter(new FrameCodec(settings.maxFrameBytes())));
        connector.setHandler(ioHandler);

        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, threads("timer"));
        t.setRemoveOnCancelPolicy(true);
        timer = t;
    }

    private ThreadFactory threads(String kind) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "tandem-" + localId + "-" + kind + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Logs in to the leader, asks it for its peers and logs in to each of them. */
    private void joinCluster() throws IOException {
        String where = settings.leaderHost() + ":" + settings.leaderPort();
        String leaderId = await(connect(null, settings.leaderHost(), settings.leaderPort()), "login to the leader at " + where);
        Message answer = await(request(leaderId, Type.PEERLIST_ANSWER, PeerListRequest::new), "peerlist from " + leaderId);
        List<CompletableFuture<String>> logins = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (PeerAddress p : ((PeerListAnswer) answer).peers()) {
            if (p.id().equals(localId)) continue;
            logins.add(connect(p.id(), p.host(), p.port()));
            names.add(p.id() + " at " + p.host() + ":" + p.port());
        }
        for (int i = 0; i < logins.size(); i++) await(logins.get(i), "login to " + names.get(i));
        log.info("{}: joined the cluster through {} ({} other peers listed)", localId, leaderId, logins.size());
    }

    /** Waits for a login or request started by {@link #start()}; their own timeouts end them, this bound is a backstop. */
    private <T> T await(CompletableFuture<T> f, String what) throws IOException {
        long bound = 2 * settings.requestTimeoutMillis() + settings.heartbeatMillis() + 1000;
        try {
            return f.get(bound, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException(cause instanceof IOException || cause instanceof TimeoutException
                    ? cause.getMessage() : what + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new IOException(what + " timed out after " + bound + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + " was interrupted");
        }
    }

    public void close() {
        synchronized (lock) {
            if (state == State.CLOSED) return;
            state = State.CLOSED;
            closed = true;
            lock.notifyAll();
        }
        listenAddress = null;
        if (timer != null) timer.shutdownNow();
        String reason = "replica " + localId + " is closing";
        for (IoService service : new IoService[] {acceptor, connector}) {
            if (service == null) continue;
            for (IoSession s : new ArrayList<>(service.getManagedSessions().values())) {
                SessionState st = SessionState.of(s);
                if (st != null) st.markClosing(reason);
                s.closeNow().awaitUninterruptibly(1000);
            }
        }
        if (acceptor != null) {
            acceptor.unbind();
            acceptor.dispose(true);
        }
        if (connector != null) connector.dispose(true);
        if (processors != null) processors.dispose();
        if (ioThreads != null) {
            ioThreads.shutdown();
            try {
                if (!ioThreads.awaitTermination(5, TimeUnit.SECONDS)) log.warn("{}: I/O threads did not stop within 5 s", localId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.info("{}: closed", localId);
    }

    // ---------------------------------------------------------------- registry

    public List<PeerInfo> peers() {
        synchronized (lock) {
            List<PeerInfo> list = new ArrayList<>(peers.size());
            for (Peer p : peers.values()) list.add(new PeerInfo(p.id, p.host, p.port, p.connected(), p.lastSeenMillis));
            return list;
        }
    }

    public boolean awaitPeers(int count, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (lock) {
            while (peers.values().stream().filter(Peer::connected).count() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || state == State.CLOSED) return false;
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** The peers whose login to us was accepted, except the one asking: every replica a newcomer must log in to. */
    List<PeerAddress> peerList(String except) {
        synchronized (lock) {
            List<PeerAddress> list = new ArrayList<>();
            for (Peer p : peers.values()) {
                if (p.in != null && !p.id.equals(except)) list.add(new PeerAddress(p.id, p.host, p.port));
            }
            return list;
        }
    }

    /** The outcome of registering an accepted login: a refusal, or whether to open the reverse channel. */
    record Registration(String refusal, boolean openReverse) {
    }

    /**
     * Registers an accepted login under the client's id. The reverse channel is needed when this replica has
     * no channel of its own to that peer, neither logged in nor in progress.
     */
    Registration registerIncoming(SessionState st, Login login, String host) {
        Registration reg;
        String joined;
        synchronized (lock) {
            if (state == State.CLOSED) return new Registration("replica " + localId + " is closing", false);
            Peer p = peers.get(login.clientId());
            if (p != null && p.in != null) {
                return new Registration("replica id " + login.clientId() + " is already logged in from " + p.in.remoteAddress(), false);
            }
            if (p == null) {
                p = new Peer(login.clientId(), host, login.listenPort());
                peers.put(p.id, p);
            }
            p.in = st;
            st.peer = p;
            st.peerId = p.id;
            lock.notifyAll();
            reg = new Registration(null, p.out == null && p.connecting == null);
            joined = p.connected() ? p.id : null;
        }
        peerJoined(joined);
        return reg;
    }

    /** Tells the handler a peer now has both channels (it joined, or came back as a new peer). */
    private void peerJoined(String id) {
        PeerRequestHandler h = handler();
        if (id != null && h != null) h.onPeerJoined(id);
    }

    /** A client connection learned the server's id from its hello: claims the outgoing slot for that peer. */
    String claimOutgoing(SessionState st, String id) {
        synchronized (lock) {
            if (state == State.CLOSED) return "replica " + localId + " is closing";
            Peer p = peers.get(id);
            if (p != null && (p.out != null || p.connecting != null && p.connecting != st)) {
                return "already connected to " + id;
            }
            if (p == null) {
                p = new Peer(id, st.targetHost, st.targetPort);
                peers.put(id, p);
            }
            p.connecting = st;
            st.claim = p;
            return null;
        }
    }

    /** The client connection is logged in; false when its peer was dropped meanwhile. */
    boolean outgoingLoggedIn(SessionState st) {
        String joined;
        synchronized (lock) {
            Peer p = st.claim;
            if (p == null || p.lost || p.connecting != st) return false;
            p.connecting = null;
            p.out = st;
            st.peer = p;
            lock.notifyAll();
            joined = p.connected() ? p.id : null;
        }
        log.info("{}: logged in to {} at {}", localId, st.peerId, st.target());
        peerJoined(joined);
        return true;
    }

    /**
     * Opens and logs in a channel to a peer (or to the leader, {@code expectedId == null}). Returns the login's
     * future: the peer id, or an IOException with the reason. An existing or pending channel is reused.
     */
    CompletableFuture<String> connect(String expectedId, String host, int port) {
        SessionState st = SessionState.client(expectedId, host, port);
        if (expectedId != null) {
            synchronized (lock) {
                if (state == State.CLOSED) return CompletableFuture.failedFuture(new IOException("replica " + localId + " is closing"));
                Peer p = peers.get(expectedId);
                if (p != null && p.out != null) return CompletableFuture.completedFuture(expectedId);
                if (p != null && p.connecting != null) return p.connecting.login;
                if (p == null) {
                    p = new Peer(expectedId, host, port);
                    peers.put(expectedId, p);
                }
                p.connecting = st;
                st.claim = p;
            }
        }
        st.login.whenComplete((id, failure) -> {
            if (failure != null) outgoingFailed(st, failure.getMessage());
        });
        try {
            ConnectFuture cf = connector.connect(new InetSocketAddress(host, port), (session, future) -> st.attach(session));
            cf.addListener(f -> {
                ConnectFuture c = (ConnectFuture) f;
                if (!c.isConnected()) {
                    Throwable e = c.getException();
                    st.login.completeExceptionally(new IOException("cannot connect to " + st.target() + ": "
                            + (e == null ? "cancelled" : e.getMessage() != null ? e.getMessage() : e.toString())));
                }
            });
        } catch (RuntimeException e) {
            st.login.completeExceptionally(new IOException("cannot connect to " + st.target() + ": " + e.getMessage(), e));
        }
        return st.login;
    }

    /**
     * An outgoing login failed. Releases the claim; when the peer already has its channel to us, this was the
     * reverse channel and the peer is dropped (a pair of replicas needs both channels).
     */
    private void outgoingFailed(SessionState st, String reason) {
        IoSession s = st.session();
        if (s != null && !st.isClosing()) {
            st.markClosing(reason);
            s.closeNow();
        }
        Peer drop;
        synchronized (lock) {
            Peer p = st.claim;
            if (p == null || p.connecting != st) return;
            p.connecting = null;
            if (p.in == null && p.out == null) {
                p.lost = true;
                peers.remove(p.id, p);
                return;
            }
            drop = p;
        }
        dropPeer(drop, reason, st.reasonLogged, true);
    }

    /**
     * Drops a peer once: closes its channels, fails its requests (via sessionClosed) and tells the handler.
     * Logs at warn unless the reason was already logged at warn when the connection was closed.
     */
    void dropPeer(Peer p, String reason, boolean reasonLogged) {
        dropPeer(p, reason, reasonLogged, false);
    }

    private void dropPeer(Peer p, String reason, boolean reasonLogged, boolean afterFailedReverse) {
        List<SessionState> sessions = new ArrayList<>(3);
        boolean wasLoggedIn;
        boolean closing;
        synchronized (lock) {
            if (p.lost) return;
            p.lost = true;
            peers.remove(p.id, p);
            wasLoggedIn = p.in != null || p.out != null;
            for (SessionState st : new SessionState[] {p.in, p.out, p.connecting}) {
                if (st != null) sessions.add(st);
            }
            closing = state == State.CLOSED;
            lock.notifyAll();
        }
        for (SessionState st : sessions) {
            st.markClosing(reason);
            IoSession s = st.session();
            if (s == null) continue;
            // A LOGIN_OK written just before the reverse channel failed must still reach the peer: flush then.
            if (afterFailedReverse) s.closeOnFlush();
            else s.closeNow();
        }
        if (closing || !wasLoggedIn) return;
        if (reasonLogged) {
            log.info("{}: lost peer {}: {}", localId, p.id, reason);
        } else {
            log.warn("{}: lost peer {}: {}", localId, p.id, reason);
        }
        PeerRequestHandler h = handler;
        try {
            h.onPeerLost(p.id, reason);
        } catch (RuntimeException e) {
            log.warn("{}: handler failed on the loss of {}", localId, p.id, e);
        }
    }

    void markSeen(SessionState st) {
        Peer p = st.peer;
        if (p == null) p = st.claim;
        if (p != null) p.lastSeenMillis = System.currentTimeMillis();
    }

    /** A connection closed, for whatever reason: its requests fail, its login fails, its peer is dropped. */
    void sessionClosed(SessionState st) {
        String fallback = st.peerId != null ? "connection closed by " + st.peerId
                : st.role == SessionState.Role.CLIENT ? "connection to " + st.target() + " closed before login" : "connection closed";
        st.markClosing(fallback);
        String reason = st.closeReason();
        IOException closed = new IOException("channel to " + st.name() + " closed: " + reason);
        for (Integer id : new ArrayList<>(st.pending.keySet())) {
            SessionState.Pending p = st.pending.remove(id);
            if (p != null) p.future().completeExceptionally(closed);
        }
        if (st.role == SessionState.Role.CLIENT) st.login.completeExceptionally(new IOException(reason));
        Peer p = st.peer;
        if (p != null) dropPeer(p, reason, st.reasonLogged);
        log.debug("{}: {} closed: {}", localId, st.describe(), reason);
    }

    // ---------------------------------------------------------------- sending

    /**
     * Writes one frame. Refuses frames over the peer's limit, and closes a peer that does not read: once more
     * than writeQueueLimitBytes wait in its queue, queueing more would only grow memory without bound.
     */
    void send(SessionState st, Message m) throws IOException {
        IoBuffer frame = FrameCodec.encode(m);
        int payload = frame.remaining() - FrameCodec.HEADER_BYTES;
        if (payload > st.peerMaxFrameBytes) {
            throw new FrameTooLargeException(m.type().label + " of " + payload + " bytes is over " + st.name()
                    + "'s frame limit of " + st.peerMaxFrameBytes + " bytes");
        }
        synchronized (st) {
            IoSession s = st.session();
            if (st.isClosing() || s == null || !s.isConnected()) {
                throw new IOException("channel to " + st.name() + " closed" + (st.closeReason() != null ? ": " + st.closeReason() : ""));
            }
            long queued = s.getScheduledWriteBytes();
            long limit = settings.writeQueueLimitBytes();
            if (queued > limit) {
                String reason = "peer " + st.name() + " is not reading: " + queued + " bytes queued over the " + bytes(limit) + " limit";
                fail(st, reason);
                throw new IOException("channel to " + st.name() + " closed: " + reason);
            }
            s.write(frame);
        }
    }

    /** Sends, or closes the connection when that is impossible (login frames: nothing else can follow). */
    void sendOrClose(SessionState st, Message m) {
        try {
            send(st, m);
        } catch (IOException e) {
            closeQuietly(st, e.getMessage());
        }
    }

    /** Writes an answer; an answer that cannot be sent (too large, or not encodable) becomes an error answer. */
    void answer(SessionState st, int requestId, Message answer) {
        try {
            send(st, answer);
        } catch (FrameTooLargeException | RuntimeException e) {
            answerError(st, requestId, answer.type().label + " could not be sent: " + e.getMessage());
        } catch (IOException e) {
            log.debug("{}: {} for {} dropped: {}", localId, answer.type().label, st.name(), e.getMessage());
        }
    }

    void answerError(SessionState st, int requestId, String message) {
        try {
            send(st, new ErrorAnswer(requestId, Wire.oneLine(message)));
        } catch (IOException e) {
            log.debug("{}: error answer for {} dropped: {}", localId, st.name(), e.getMessage());
        }
    }

    /** Closes a connection for a reason worth one warn line (a protocol violation, a peer not reading...). */
    void fail(SessionState st, String reason) {
        if (st.markClosing(reason)) {
            st.reasonLogged = true;
            log.warn("{}: closing {}: {}", localId, st.describe(), reason);
        }
        IoSession s = st.session();
        if (s != null) s.closeNow();
    }

    /** Closes a connection whose reason is reported elsewhere (a login future, a peer loss). */
    void closeQuietly(SessionState st, String reason) {
        st.markClosing(reason);
        IoSession s = st.session();
        if (s != null) s.closeNow();
    }

    /** Refuses a login: tells the client why, logs it once, and closes once the refusal is written. */
    void refuse(SessionState st, String claimedId, String reason) {
        try {
            send(st, new LoginRefused(reason));
        } catch (IOException e) {
            log.debug("{}: refusal not sent: {}", localId, e.getMessage());
        }
        if (st.markClosing(reason)) {
            st.reasonLogged = true;
            log.warn("{}: refused login of {} from {}: {}", localId, claimedId, st.remoteAddress(), reason);
        }
        IoSession s = st.session();
        if (s != null) s.closeOnFlush();
    }

    // ---------------------------------------------------------------- requests

    private SessionState outgoing(String peerId) {
        synchronized (lock) {
            Peer p = peers.get(peerId);
            return p == null ? null : p.out;
        }
    }

    /**
     * Sends a request on our channel to {@code peerId}; the future completes with the answer, or exceptionally
     * with an IOException (error answer, channel closed) or a TimeoutException.
     */
    public CompletableFuture<Message> request(String peerId, Type answerType, IntFunction<Message> build) {
        SessionState st = outgoing(peerId);
        if (st == null) return CompletableFuture.failedFuture(new IOException("no channel to " + peerId));
        int id = st.nextRequestId();
        Message m = build.apply(id);
        long ms = settings.requestTimeoutMillis();
        CompletableFuture<Message> f = new CompletableFuture<>();
        st.pending.put(id, new SessionState.Pending(m.type(), answerType, f));
        try {
            ScheduledFuture<?> timeout = timer.schedule(() -> {
                if (st.pending.remove(id) != null) {
                    f.completeExceptionally(new TimeoutException(m.type().label + " to " + peerId + " timed out after " + ms + " ms"));
                }
            }, ms, TimeUnit.MILLISECONDS);
            f.whenComplete((r, e) -> timeout.cancel(false));
        } catch (RejectedExecutionException e) {
            st.pending.remove(id);
            return CompletableFuture.failedFuture(new IOException("replica " + localId + " is closed"));
        }
        try {
            send(st, m);
        } catch (IOException e) {
            st.pending.remove(id);
            f.completeExceptionally(e);
        } catch (RuntimeException e) {
            st.pending.remove(id);
            f.completeExceptionally(new IllegalArgumentException(m.type().label + " to " + peerId + " cannot be encoded: " + e.getMessage(), e));
        }
        return f;
    }

    /** An answer arrived on a client connection: completes the request it belongs to. */
    void onAnswer(SessionState st, Answer a) {
        SessionState.Pending p = st.pending.remove(a.requestId());
        if (p == null) {
            log.debug("{}: late {} from {} for request {} ignored", localId, a.type().label, st.name(), a.requestId());
            return;
        }
        if (a instanceof ErrorAnswer e) {
            p.future().completeExceptionally(new IOException(st.name() + " could not answer " + p.requestType().label + ": " + e.message()));
        } else if (a.type() != p.answerType()) {
            p.future().completeExceptionally(new IOException(st.name() + " answered " + p.requestType().label + " with " + a.type().label));
            fail(st, "answered " + p.requestType().label + " with " + a.type().label);
        } else {
            p.future().complete(a);
        }
    }

    /** Pushes a message (no answer) on our channel to {@code peerId}; dropped with a debug line when there is none. */
    public void push(String peerId, Message m) {
        SessionState st = outgoing(peerId);
        if (st == null) {
            log.debug("{}: {} to {} dropped: no channel", localId, m.type().label, peerId);
            return;
        }
        try {
            send(st, m);
        } catch (FrameTooLargeException e) {
            log.warn("{}: {} to {} dropped: {}", localId, m.type().label, peerId, e.getMessage());
        } catch (IOException e) {
            log.debug("{}: {} to {} dropped: {}", localId, m.type().label, peerId, e.getMessage());
        }
    }

    /**
     * {@code getpacket}, batched and split to fit frames: each request asks for as many originals as fit in the
     * peer's frame limit; the peer answers a prefix when the packets would not fit, and the rest is asked again.
     */
    public CompletableFuture<Packet[]> getPackets(String peerId, long[] originals) {
        CompletableFuture<Packet[]> done = new CompletableFuture<>();
        fetchPackets(peerId, originals.clone(), 0, new Packet[originals.length], done);
        return done;
    }

    private void fetchPackets(String peerId, long[] originals, int from, Packet[] result, CompletableFuture<Packet[]> done) {
        if (from == originals.length) {
            done.complete(result);
            return;
        }
        SessionState st = outgoing(peerId);
        int limit = st != null ? st.peerMaxFrameBytes : PeerSettings.MIN_FRAME_BYTES;
        int n = Math.min(originals.length - from, (limit - Wire.GETPACKET_FIXED_BYTES) / 8);
        long[] chunk = Arrays.copyOfRange(originals, from, from + n);
        request(peerId, Type.PACKETS, id -> new GetPackets(id, chunk)).whenComplete((m, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
                return;
            }
            Packet[] got = ((PacketsAnswer) m).packets();
            if (got.length == 0 || got.length > n) {
                done.completeExceptionally(new IOException(peerId + " answered getpacket for " + n + " originals with " + got.length + " entries"));
                return;
            }
            System.arraycopy(got, 0, result, from, got.length);
            fetchPackets(peerId, originals, from + got.length, result, done);
        });
    }

    // ---------------------------------------------------------------- timer

    /** Every heartbeat interval: heartbeats on logged-in client channels, and the login and silence deadlines. */
    private void tick() {
        try {
            long now = System.currentTimeMillis();
            for (IoService service : new IoService[] {acceptor, connector}) {
                for (IoSession s : service.getManagedSessions().values()) {
                    SessionState st = SessionState.of(s);
                    if (st == null || st.isClosing()) continue;
                    if (st.phase != SessionState.Phase.LOGGED_IN) {
                        if (now - s.getCreationTime() > settings.requestTimeoutMillis()) {
                            fail(st, st.role == SessionState.Role.CLIENT
                                    ? "no login answer from " + st.target() + " within " + settings.requestTimeoutMillis() + " ms"
                                    : "no login within " + settings.requestTimeoutMillis() + " ms");
                        }
                    } else if (st.role == SessionState.Role.CLIENT) {
                        try {
                            send(st, Heartbeat.INSTANCE);
                        } catch (IOException e) {
                            log.debug("{}: heartbeat to {} not sent: {}", localId, st.name(), e.getMessage());
                        }
                    } else if (now - s.getLastReadTime() > settings.peerTimeoutMillis()) {
                        String reason = "nothing received from " + st.name() + " for " + (now - s.getLastReadTime()) + " ms";
                        fail(st, reason);
                        // Drop the peer now, with this reason: its other channel's close may otherwise be seen first.
                        if (st.peer != null) dropPeer(st.peer, reason, true);
                    }
                }
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log and keep beating.
            log.warn("{}: heartbeat round failed", localId, e);
        }
    }

    /** "64 MiB", "256 KiB" or "N bytes", for log lines. */
    static String bytes(long n) {
        if (n >= 1 << 20 && n % (1 << 20) == 0) return (n >> 20) + " MiB";
        if (n >= 1 << 10 && n % (1 << 10) == 0) return (n >> 10) + " KiB";
        return n + " bytes";
    }

    boolean isClosed() {
        return closed;
    }
}
