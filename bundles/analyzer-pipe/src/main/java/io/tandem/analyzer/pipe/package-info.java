/** An analyzer (analyzer.name=suricata) that writes the aligned stream as pcap into an external IDS (Suricata -r FIFO) and reads its EVE JSON alerts. */
@Export
@Version("1.0.0")
package io.tandem.analyzer.pipe;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
