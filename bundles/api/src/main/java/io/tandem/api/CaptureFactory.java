package io.tandem.api;

import java.io.IOException;

/**
 * Opens a replica's capture (OSGi service of the capture bundle, config pid {@code io.tandem.capture}): where
 * packets come from and the replica's random drop are the capture bundle's configuration. Registered only while
 * a source is configured.
 */
public interface CaptureFactory {
    /**
     * Opens the configured source; every packet it captures (minus the random drop) is registered in {@code db}.
     *
     * @throws IOException if the source cannot be opened (the message names the file or interface)
     */
    CaptureSession open(HashDatabase db) throws IOException;
}
