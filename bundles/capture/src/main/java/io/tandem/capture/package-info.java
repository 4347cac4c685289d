/**
 * Where a replica's packets come from: a live interface ({@link io.tandem.capture.LiveCaptureSource}, settings in
 * {@link io.tandem.capture.LiveCaptureSettings}, libpcap counters in {@link io.tandem.capture.LiveCaptureStats}),
 * recorded captures read through libpcap (pcap4j), the same capture looped and fed to every replica in the same
 * order, the thesis's random drop, and the capture loop that registers each surviving packet in the replica's hash
 * database.
 */
@Export
@Version("1.0.0")
package io.tandem.capture;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
