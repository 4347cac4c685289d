/**
 * Where a replica's packets come from: recorded captures read through libpcap (pcap4j), the same capture looped
 * and fed to every replica in the same order, the thesis's random drop, and the capture loop that registers each
 * surviving packet in the replica's hash database.
 */
@Export
@Version("1.0.0")
package io.tandem.capture;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
