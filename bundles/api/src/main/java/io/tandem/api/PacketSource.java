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

    /** One line saying what this source reads, for logs and status. */
    String describe();

    @Override
    void close();
}
