/** Bootstrap and the round loop: the replicas' packet streams made one. */
@Export
@Version("1.0.0")
package io.tandem.sync;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
