/** The embedded analyzer (analyzer.name=rules): a documented Snort 2.9 / Suricata rule subset in Java; see docs/analyzers.md. */
@Export
@Version("1.0.0")
package io.tandem.analyzer.rules;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
