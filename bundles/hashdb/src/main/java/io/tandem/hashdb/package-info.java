/**
 * The packet queue and packet hash database of a replica (thesis Table 2) and the built-in packet hash functions.
 * Construct a {@link io.tandem.hashdb.PacketHashDatabase} with a function from {@link io.tandem.hashdb.HashFunctions}.
 */
@Export
@Version("1.0.0")
package io.tandem.hashdb;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
