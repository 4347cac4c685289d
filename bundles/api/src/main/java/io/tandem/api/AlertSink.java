package io.tandem.api;

/** Where an analyzer session puts the alerts it raises. Thread-safe: analyzers may raise from their own threads. */
@FunctionalInterface
public interface AlertSink {
    void raise(Alert alert);
}
