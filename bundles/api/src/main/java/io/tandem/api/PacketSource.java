package io.tandem.api;

import java.io.IOException;

/**
 * Where a replica's packets come from: a live interface or recorded captures. Every replica of a cluster reads
 * the same traffic; what each one loses is its own business.
 */
public interface PacketSource extends AutoCloseable {
    /**
     * The next packet, blocking while a live source has none. Returns {@code null} once a finite source is
     * exhausted (and on every later call).
     *
     * @throws IOException on a read error; the message names the file/interface and, for files, the byte offset
     */
    Packet next() throws IOException, InterruptedException;

    /**
     * Up to {@code max} packets into {@code into}: blocks like {@link #next()} for the first one, then takes only
     * what is available without waiting (a live source never holds a packet back to fill a batch). Returns how
     * many, 0 once the source is exhausted. Sources that can hand over several packets cheaply override it.
     */
    default int nextBatch(Packet[] into, int max) throws IOException, InterruptedException {
        Packet p = next();
        if (p == null) return 0;
        into[0] = p;
        return 1;
    }

    /** The libpcap link type of every packet (1 Ethernet, 101 raw IP, 113 Linux SLL, 0 BSD null...). */
    default int linkType() {
        return 1;
    }

    /** One line saying what this source reads, for logs and status. */
    String describe();

    @Override
    void close();
}
