/** Tandem's API: value types and the service contracts the bundles talk through. */
@Export
@Version("1.0.0")
package io.tandem.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
