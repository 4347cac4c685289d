package io.tandem.hashdb.internal.osgi;

import io.tandem.api.HashFunction;
import io.tandem.hashdb.internal.Crc32HashFunction;
import org.osgi.service.component.annotations.Component;

/** Publishes the crc32 packet hash function as a HashFunction service. */
@Component(service = HashFunction.class, property = HashFunction.NAME_PROPERTY + "=" + Crc32HashFunction.NAME)
public class Crc32Component extends Crc32HashFunction {
}
