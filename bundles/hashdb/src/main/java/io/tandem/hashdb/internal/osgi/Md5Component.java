package io.tandem.hashdb.internal.osgi;

import io.tandem.api.HashFunction;
import io.tandem.hashdb.internal.Md5HashFunction;
import org.osgi.service.component.annotations.Component;

/** Publishes the md5 packet hash function as a HashFunction service. */
@Component(service = HashFunction.class, property = HashFunction.NAME_PROPERTY + "=" + Md5HashFunction.NAME)
public class Md5Component extends Md5HashFunction {
}
