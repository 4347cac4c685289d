package io.tandem.alerts.internal;

import io.tandem.alerts.AlertOutput;
import io.tandem.alerts.EveJson;
import io.tandem.api.Alert;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends one EVE JSON line per alert to a file; flushed after every batch so a collector tailing it sees them. */
public final class EveFileOutput implements AlertOutput {
    private final Path file;
    private final BufferedWriter out;

    /** @throws IOException if the file (or its directory) cannot be created or opened for appending */
    public EveFileOutput(Path file) throws IOException {
        this.file = file;
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE), StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void write(Alert alert, String reporter) throws IOException {
        out.write(EveJson.line(alert, reporter));
        out.write('\n');
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    @Override
    public String toString() {
        return "eve " + file;
    }
}
