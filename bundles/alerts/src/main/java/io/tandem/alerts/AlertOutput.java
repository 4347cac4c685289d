package io.tandem.alerts;

import io.tandem.api.Alert;

import java.io.IOException;

/**
 * Where reported alerts go: the EVE JSON file, syslog, EventAdmin, or anything a caller adds. The filter calls
 * {@link #write} for each alert of a batch, then {@link #flush} once; calls are never concurrent on one output.
 */
public interface AlertOutput extends AutoCloseable {

    /**
     * @param alert    the alert, reported once across the cluster
     * @param reporter id of the replica that reports it (written as {@code tandem.reporter})
     */
    void write(Alert alert, String reporter) throws IOException;

    default void flush() throws IOException {
    }

    @Override
    default void close() throws IOException {
    }
}
