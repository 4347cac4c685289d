package io.tandem.sync.internal.osgi;

import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.api.SyncListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The thesis's hash log ({@code -h}): one hex hash per packet of the aligned stream, so that two replicas' logs
 * can be diffed. The file can be switched or turned off while the replica runs; lines are appended.
 */
final class HashLog implements SyncListener {
    private static final Logger LOG = LoggerFactory.getLogger(HashLog.class);
    private volatile int hashLength = 16;
    private Path path;
    private BufferedWriter out;
    private String error;

    /** Bytes of each hash written: the cluster's hash function's length, known once the database exists. */
    void length(int hashLength) {
        this.hashLength = hashLength;
    }

    /** Writes to {@code p} from the next packet on (null: off). On failure the previous file stays. */
    synchronized void switchTo(Path p) throws IOException {
        BufferedWriter next = null;
        if (p != null) {
            Path dir = p.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            next = Files.newBufferedWriter(p, StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        close();
        out = next;
        path = p;
        error = null;
    }

    synchronized Path path() {
        return path;
    }

    @Override
    public synchronized void onDelivered(long position, PacketHash hash, Packet packet) {
        if (out == null) return;
        try {
            out.write(hash.toHex(hashLength));
            out.write('\n');
        } catch (IOException e) {
            fail(e);
        }
    }

    @Override
    public void onEnd() {
        flush();
    }

    synchronized void flush() {
        if (out == null) return;
        try {
            out.flush();
        } catch (IOException e) {
            fail(e);
        }
    }

    /** A write error turns the log off (the aligned stream must not stop for it); the error is kept for status. */
    private void fail(IOException e) {
        error = "hash log " + path + " failed and was turned off: " + e.getMessage();
        try {
            out.close();
        } catch (IOException ignored) {
            // already failing
        }
        out = null;
        LOG.error("{}", error);
    }

    synchronized String error() {
        return error;
    }

    synchronized void close() {
        if (out == null) return;
        try {
            out.close();
        } catch (IOException e) {
            error = "hash log " + path + ": " + e.getMessage();
        }
        out = null;
    }
}
