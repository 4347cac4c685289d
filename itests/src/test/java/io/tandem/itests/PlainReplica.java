package io.tandem.itests;

import io.tandem.api.ClusterParameters;
import io.tandem.api.HashDatabase;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.PacketSource;
import io.tandem.api.RoundOutcome;
import io.tandem.api.SyncListener;
import io.tandem.capture.CaptureLoop;
import io.tandem.capture.LoopedCapture;
import io.tandem.capture.PacedSource;
import io.tandem.capture.RandomDrop;
import io.tandem.hashdb.HashFunctions;
import io.tandem.hashdb.PacketHashDatabase;
import io.tandem.peer.MinaConnectionManager;
import io.tandem.peer.PeerSettings;
import io.tandem.sync.SyncEngine;
import io.tandem.sync.SyncSettings;
import io.tandem.sync.SyncStats;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A lossless replica (a leader, or a follower) as a plain Java process, outside any OSGi container: the engine classes of
 * bundles/capture, hashdb, peer and sync on a class path, as {@code MembershipTest} builds them. {@link HotSwapIT}
 * starts it from inside its Karaf so that swapping that Karaf's bundles cannot touch it.
 *
 * <p>It replays the looped captures of a folder at a fixed rate, leads (waits for one peer), and writes into its
 * directory: {@code source.hashes} (one loop of the source: MD5 over each packet's first snippet bytes, computed here
 * with {@link MessageDigest}, not with the engine's hash function), {@code r1.hashes} (one hex hash per delivered
 * packet, line = stream position) and {@code status} (state, view, members, delivered, failure; rewritten every
 * 200 ms). It ends when the file {@code stop} appears, its parent process (the container) ends, or after
 * {@code max.seconds}.
 *
 * <p>Arguments: {@code id port secret dir captures pps capacity max.seconds [leader.port]}; with a leader port it
 * is a follower of the replica listening there on 127.0.0.1.
 */
public final class PlainReplica {
    private static final ClusterParameters PARAMS = ClusterParameters.DEFAULTS;

    private PlainReplica() {
    }

    public static void main(String[] args) throws Exception {
        String id = args[0];
        int port = Integer.parseInt(args[1]);
        byte[] secret = args[2].getBytes(StandardCharsets.UTF_8);
        Path dir = Path.of(args[3]);
        Path captures = Path.of(args[4]);
        int pps = Integer.parseInt(args[5]);
        int capacity = Integer.parseInt(args[6]);
        long maxSeconds = Long.parseLong(args[7]);
        int leaderPort = args.length > 8 ? Integer.parseInt(args[8]) : 0;
        Files.createDirectories(dir);

        LoopedCapture source = LoopedCapture.load(captures);
        writeSourceHashes(source, dir.resolve("source.hashes"));

        HashDatabase db = new PacketHashDatabase(HashFunctions.byName(PARAMS.hashName()), PARAMS.snippet(), capacity, HashDatabase.WhenFull.BLOCK);
        CaptureLoop capture = new CaptureLoop(new PacedSource(source.cursor(Long.MAX_VALUE / 2), pps), RandomDrop.parse("0", 1), db);
        PeerSettings.Builder settings = PeerSettings.builder(id, secret).listen("127.0.0.1", port).parameters(PARAMS);
        if (leaderPort > 0) settings.leader("127.0.0.1", leaderPort);
        MinaConnectionManager peers = new MinaConnectionManager(settings.build());
        Log log = new Log(dir.resolve(id + ".hashes"));
        SyncEngine engine = new SyncEngine(leaderPort > 0 ? SyncSettings.follower() : SyncSettings.leader(1, 0).withMode(1), db, peers, capture::captureSome, log);
        peers.setHandler(engine);
        if (leaderPort > 0) {
            engine.start(); // a follower captures before it logs in (thesis 3.4); its leader runs already
            peers.start();
        } else {
            peers.start();
            engine.start();
        }
        System.err.println(id + " listening on 127.0.0.1:" + port + (leaderPort > 0 ? ", following 127.0.0.1:" + leaderPort : ", leading")
                + ", replaying " + source.describe() + " at " + pps + " packets/s");

        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        String why;
        while (true) {
            log.flush();
            writeStatus(dir.resolve("status"), engine, capture);
            if (Files.exists(dir.resolve("stop"))) {
                why = "asked to stop";
                break;
            }
            if (parent != null && !parent.isAlive()) {
                why = "the container ended";
                break;
            }
            if (System.nanoTime() > deadline) {
                why = "ran " + maxSeconds + " s";
                break;
            }
            if (engine.awaitEnd(200, TimeUnit.MILLISECONDS)) {
                why = "the engine ended: " + engine.failure();
                break;
            }
        }
        engine.stop();
        engine.awaitEnd(10, TimeUnit.SECONDS);
        peers.close();
        log.flush();
        writeStatus(dir.resolve("status"), engine, capture);
        log.close();
        System.err.println(id + " stopped: " + why);
        System.exit(0);
    }

    private static void writeSourceHashes(LoopedCapture source, Path file) throws Exception {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        HexFormat hex = HexFormat.of();
        List<String> lines = new ArrayList<>(source.size());
        for (int i = 0; i < source.size(); i++) {
            byte[] data = source.get(i).data();
            md5.update(data, 0, Math.min(PARAMS.snippet(), data.length));
            lines.add(hex.formatHex(md5.digest()));
        }
        Files.write(file, lines, StandardCharsets.US_ASCII);
    }

    private static void writeStatus(Path file, SyncEngine engine, CaptureLoop capture) throws IOException {
        SyncStats s = engine.stats();
        String state = engine.failure() != null ? "failed" : engine.booted() ? "running" : "booting";
        String text = "state=" + state + "\nview=" + s.view() + "\nmembers=" + String.join(",", engine.members()) + "\ndelivered=" + s.delivered()
                + "\ncaptured=" + capture.seen() + "\nround=" + s.round() + "\nfailure=" + (engine.failure() == null ? "" : engine.failure().replace('\n', ' ')) + "\n";
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** One hex hash per delivered packet; the line number is the stream position (checked). */
    private static final class Log implements SyncListener {
        private final BufferedWriter out;
        private long next;

        Log(Path file) throws IOException {
            out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        }

        @Override
        public synchronized void onDelivered(long position, PacketHash hash, Packet packet) {
            if (position != next) throw new IllegalStateException("delivered position " + position + ", expected " + next);
            next++;
            try {
                out.write(hash.toHex(16));
                out.write('\n');
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void onRound(long round, RoundOutcome outcome) {
        }

        @Override
        public void onEnd() {
        }

        synchronized void flush() throws IOException {
            out.flush();
        }

        synchronized void close() throws IOException {
            out.close();
        }
    }
}
