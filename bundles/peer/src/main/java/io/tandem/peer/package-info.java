/** The connection manager over Apache MINA. */
@Export
@Version("1.0.0")
package io.tandem.peer;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
