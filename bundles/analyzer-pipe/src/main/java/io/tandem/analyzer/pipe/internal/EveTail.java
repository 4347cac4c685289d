package io.tandem.analyzer.pipe.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Follows a file that another process appends lines to (EVE JSON): each call hands over the complete lines added
 * since the last one and keeps a partial last line for the next. The file may not exist yet.
 */
final class EveTail implements AutoCloseable {
    /** A line longer than this is dropped (counted by the caller as not JSON) rather than buffered without bound. */
    static final int MAX_LINE = 64 << 20;

    private final Path file;
    private final byte[] chunk = new byte[64 << 10];
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private RandomAccessFile in;
    private boolean skipping;

    EveTail(Path file) {
        this.file = file;
    }

    /** Hands every complete new line to {@code lines}; returns how many. */
    int poll(Consumer<String> lines) throws IOException {
        if (in == null) {
            if (!Files.exists(file)) return 0;
            in = new RandomAccessFile(file.toFile(), "r");
        }
        int n = 0;
        int got;
        while ((got = in.read(chunk)) > 0) {
            int start = 0;
            for (int i = 0; i < got; i++) {
                if (chunk[i] != '\n') continue;
                if (!skipping) {
                    partial.write(chunk, start, i - start);
                    lines.accept(partial.toString(StandardCharsets.UTF_8));
                    n++;
                } else {
                    lines.accept("<line over " + MAX_LINE + " bytes dropped>");
                }
                partial.reset();
                skipping = false;
                start = i + 1;
            }
            if (!skipping) {
                partial.write(chunk, start, got - start);
                if (partial.size() > MAX_LINE) {
                    partial.reset();
                    skipping = true;
                }
            }
        }
        return n;
    }

    @Override
    public void close() {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // read-only file: nothing to lose
            }
        }
    }
}
