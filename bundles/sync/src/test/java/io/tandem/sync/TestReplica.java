package io.tandem.sync;

import io.tandem.api.ClusterParameters;
import io.tandem.api.HashDatabase;
import io.tandem.api.HashFunction;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.PacketSource;
import io.tandem.api.RoundOutcome;
import io.tandem.api.SyncListener;
import io.tandem.capture.CaptureLoop;
import io.tandem.capture.RandomDrop;
import io.tandem.hashdb.PacketHashDatabase;
import io.tandem.peer.MinaConnectionManager;
import io.tandem.peer.PeerSettings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One replica of the engine tests: its own database, capture (own random drop), connection manager on 127.0.0.1
 * and engine, with the hashes it delivers logged. A leader waits for {@code followers} peers; a follower logs in at
 * {@code leaderPort}.
 */
final class TestReplica {
    final String id;
    final boolean leader;
    final MinaConnectionManager peers;
    final SyncEngine engine;
    final CaptureLoop capture;
    final List<PacketHash> log = Collections.synchronizedList(new ArrayList<>());

    TestReplica(String id, boolean leader, int leaderPort, byte[] secret, int followers, PacketSource source, String drop,
                HashFunction hash, ClusterParameters params, int capacity, HashDatabase.WhenFull whenFull,
                UnaryOperator<PeerSettings.Builder> peerSettings) {
        this.id = id;
        this.leader = leader;
        HashDatabase db = new PacketHashDatabase(hash, params.snippet(), capacity, whenFull);
        capture = new CaptureLoop(source, RandomDrop.parse(drop, id.hashCode()), db);
        PeerSettings.Builder ps = peerSettings.apply(PeerSettings.builder(id, secret).listen("127.0.0.1", 0).parameters(params));
        if (!leader) ps.leader("127.0.0.1", leaderPort);
        peers = new MinaConnectionManager(ps.build());
        engine = new SyncEngine(leader ? SyncSettings.leader(followers, 60_000) : SyncSettings.follower(), db, peers, capture::captureSome,
                new SyncListener() {
                    @Override
                    public void onDelivered(long position, PacketHash h, Packet packet) {
                        log.add(h);
                    }

                    @Override
                    public void onRound(long round, RoundOutcome outcome) {
                    }

                    @Override
                    public void onEnd() {
                    }
                });
        peers.setHandler(engine);
    }

    int delivered() {
        return log.size();
    }

    void kill() {
        engine.stop();
        peers.close();
    }
}
