package io.tandem.hashdb.internal.osgi;

import io.tandem.api.HashFunction;
import io.tandem.hashdb.internal.OneAtATimeHashFunction;
import org.osgi.service.component.annotations.Component;

/** Publishes the one-at-a-time (Jenkins) packet hash function as a HashFunction service. */
@Component(service = HashFunction.class, property = HashFunction.NAME_PROPERTY + "=" + OneAtATimeHashFunction.NAME)
public class OneAtATimeComponent extends OneAtATimeHashFunction {
}
