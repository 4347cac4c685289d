package io.tandem.capture;

import io.tandem.api.HashDatabase;
import io.tandem.api.HashDatabaseStats;
import io.tandem.api.HashFunction;
import io.tandem.api.HashList;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;

import java.util.ArrayList;
import java.util.List;

/**
 * Test-only: implements just the part of {@link HashDatabase} that {@link CaptureLoop} calls ({@code register},
 * {@code markSourceEnded}, {@code sourceEnded}), recording what it got. {@code register} blocks while
 * {@code capacity} packets are held, like the real database in BLOCK mode. Every other operation throws: the real
 * database lives in the hashdb bundle and is tested there.
 */
final class CaptureOnlyHashDatabase implements HashDatabase {
    private final int capacity;
    private final List<Packet> registered = new ArrayList<>();
    private int sourceEndedCalls;

    CaptureOnlyHashDatabase(int capacity) {
        this.capacity = capacity;
    }

    synchronized List<Packet> registered() {
        return List.copyOf(registered);
    }

    synchronized int sourceEndedCalls() {
        return sourceEndedCalls;
    }

    @Override
    public synchronized long register(Packet packet) throws InterruptedException {
        while (registered.size() >= capacity) wait();
        registered.add(packet);
        notifyAll();
        return registered.size() - 1;
    }

    /** Waits until at least {@code n} packets were registered. */
    synchronized void awaitRegistered(int n) throws InterruptedException {
        while (registered.size() < n) wait();
    }

    @Override
    public synchronized void markSourceEnded() {
        sourceEndedCalls++;
    }

    @Override
    public synchronized boolean sourceEnded() {
        return sourceEndedCalls > 0;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    private static UnsupportedOperationException notForCapture() {
        return new UnsupportedOperationException("not called by CaptureLoop");
    }

    @Override public HashFunction hashFunction() { throw notForCapture(); }
    @Override public int snippet() { throw notForCapture(); }
    @Override public long[] registerMissed(long[] positions, Packet[] packets, PacketHash[] expected) { throw notForCapture(); }
    @Override public void discard(long[] positions) { throw notForCapture(); }
    @Override public void keepFrom(long position, long millis) { throw notForCapture(); }
    @Override public long[] findBootCluster(PacketHash[] bootHashes, long notAfterMicros) { throw notForCapture(); }
    @Override public PacketHash clusterHash(long from, int count) { throw notForCapture(); }
    @Override public HashList hashes(long from, int count) { throw notForCapture(); }
    @Override public Packet packetByOriginal(long original) { throw notForCapture(); }
    @Override public Packet packet(long position) { throw notForCapture(); }
    @Override public PacketHash hashAt(long position) { throw notForCapture(); }
    @Override public void rebase(long position) { throw notForCapture(); }
    @Override public void postSync(long alignedEnd) { throw notForCapture(); }
    @Override public void free(long position) { throw notForCapture(); }
    @Override public long start() { throw notForCapture(); }
    @Override public long end() { throw notForCapture(); }
    @Override public boolean awaitEnd(long position, long timeoutNanos) { throw notForCapture(); }
    @Override public void forEach(long from, long to, PacketVisitor visitor) { throw notForCapture(); }
    @Override public HashDatabaseStats stats() { throw notForCapture(); }
}
