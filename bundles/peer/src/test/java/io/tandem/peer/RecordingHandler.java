package io.tandem.peer;

import io.tandem.api.BootAck;
import io.tandem.api.BootHash;
import io.tandem.api.BootStart;
import io.tandem.api.ClusterHashNotice;
import io.tandem.api.ClusterHashes;
import io.tandem.api.HashList;
import io.tandem.api.Packet;
import io.tandem.api.PeerRequestHandler;

import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/** A handler that records what peers sent and answers with replaceable functions. */
final class RecordingHandler implements PeerRequestHandler {
    record Received<T>(String peerId, T value) {
    }

    final BlockingQueue<Received<ClusterHashNotice>> clusterHashes = new LinkedBlockingQueue<>();
    final BlockingQueue<Received<BootStart>> bootStarts = new LinkedBlockingQueue<>();
    final BlockingQueue<Received<String>> fatals = new LinkedBlockingQueue<>();
    final BlockingQueue<Received<String>> lost = new LinkedBlockingQueue<>();
    final AtomicInteger getPacketsCalls = new AtomicInteger();

    volatile ClusterHashesAnswerer clusterHashesAnswer = (peer, round, epoch) ->
            CompletableFuture.completedFuture(new ClusterHashes(round, epoch, 0, false, HashList.EMPTY));
    volatile BiFunction<String, long[], Packet[]> packetsAnswer = (peer, originals) -> new Packet[originals.length];
    volatile BiFunction<String, BootHash, CompletableFuture<BootAck>> bootHashAnswer = (peer, boot) -> {
        long[] positions = new long[boot.hashes().length];
        Arrays.fill(positions, -1);
        return CompletableFuture.completedFuture(new BootAck(boot.attempt(), positions));
    };

    @FunctionalInterface
    interface ClusterHashesAnswerer {
        CompletableFuture<ClusterHashes> answer(String peerId, long round, long epoch);
    }

    @Override
    public void onClusterHash(String peerId, ClusterHashNotice notice) {
        clusterHashes.add(new Received<>(peerId, notice));
    }

    @Override
    public CompletableFuture<ClusterHashes> onGetClusterHashes(String peerId, long round, long epoch) {
        return clusterHashesAnswer.answer(peerId, round, epoch);
    }

    @Override
    public Packet[] onGetPackets(String peerId, long[] originals) {
        getPacketsCalls.incrementAndGet();
        return packetsAnswer.apply(peerId, originals);
    }

    @Override
    public CompletableFuture<BootAck> onBootHash(String peerId, BootHash boot) {
        return bootHashAnswer.apply(peerId, boot);
    }

    @Override
    public void onBootStart(String peerId, BootStart start) {
        bootStarts.add(new Received<>(peerId, start));
    }

    @Override
    public void onBootHashFatal(String peerId, String reason) {
        fatals.add(new Received<>(peerId, reason));
    }

    @Override
    public void onPeerLost(String peerId, String reason) {
        lost.add(new Received<>(peerId, reason));
    }
}
