package io.tandem.hashdb.internal.osgi;

import io.tandem.api.HashFunction;
import io.tandem.hashdb.internal.Murmur3HashFunction;
import org.osgi.service.component.annotations.Component;

/** Publishes the murmur3 (x64, 128-bit) packet hash function as a HashFunction service. */
@Component(service = HashFunction.class, property = HashFunction.NAME_PROPERTY + "=" + Murmur3HashFunction.NAME)
public class Murmur3Component extends Murmur3HashFunction {
}
