package io.tandem.peer;

import io.tandem.api.ClusterParameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Connection managers of one test, on 127.0.0.1 with ephemeral ports; closes them all at the end. */
final class Cluster implements AutoCloseable {
    static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
    /** Generous: nothing in these tests should take more than a fraction of it. */
    static final long WAIT_MS = 20_000;

    private final List<MinaConnectionManager> managers = new ArrayList<>();
    final Map<String, RecordingHandler> handlers = new HashMap<>();

    static PeerSettings.Builder settings(String id) {
        return PeerSettings.builder(id, SECRET).listen("127.0.0.1", 0);
    }

    /** Starts the leader (no leader to join). */
    MinaConnectionManager leader(String id) throws IOException {
        return start(settings(id));
    }

    /** Starts a replica that joins through {@code leader}. */
    MinaConnectionManager join(String id, MinaConnectionManager leader) throws IOException {
        return start(settings(id).leader("127.0.0.1", leader.listenAddress().getPort()));
    }

    MinaConnectionManager join(String id, MinaConnectionManager leader, UnaryOperator<PeerSettings.Builder> tweak) throws IOException {
        return start(tweak.apply(settings(id).leader("127.0.0.1", leader.listenAddress().getPort())));
    }

    /** Starts a manager with its own recording handler, available as {@code handlers.get(id)}. */
    MinaConnectionManager start(PeerSettings.Builder builder) throws IOException {
        MinaConnectionManager m = create(builder);
        m.start();
        return m;
    }

    /** Creates (without starting) a manager with its own recording handler. */
    MinaConnectionManager create(PeerSettings.Builder builder) {
        PeerSettings s = builder.build();
        MinaConnectionManager m = new MinaConnectionManager(s);
        RecordingHandler h = new RecordingHandler();
        m.setHandler(h);
        synchronized (this) {
            managers.add(m);
            handlers.put(s.localId(), h);
        }
        return m;
    }

    RecordingHandler handler(String id) {
        synchronized (this) {
            return handlers.get(id);
        }
    }

    static ClusterParameters params(int k) {
        return new ClusterParameters(k, 4, "md5", ClusterParameters.DEFAULTS.snippet());
    }

    @Override
    public void close() {
        List<MinaConnectionManager> all;
        synchronized (this) {
            all = new ArrayList<>(managers);
        }
        for (MinaConnectionManager m : all) m.close();
    }
}
