/** The alert filter: each distinct alert reported once while one replica is alive (see docs/alerts.md), and its outputs. */
@Export
@Version("1.0.0")
package io.tandem.alerts;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
