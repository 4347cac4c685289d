package io.tandem.hashdb;

import io.tandem.api.HashFunction;
import io.tandem.hashdb.internal.Crc32HashFunction;
import io.tandem.hashdb.internal.Md5HashFunction;
import io.tandem.hashdb.internal.Murmur3HashFunction;
import io.tandem.hashdb.internal.OneAtATimeHashFunction;

import java.util.List;

/**
 * The built-in packet hash functions by name, for code that runs without an OSGi registry (tests, tools). In a
 * framework the same functions are HashFunction services with property {@code hash.name}.
 */
public final class HashFunctions {
    /** The thesis default. */
    public static final String DEFAULT = Md5HashFunction.NAME;

    // Instances are stateless (per-thread state lives in ThreadLocals), so one of each serves everybody.
    private static final List<HashFunction> ALL = List.of(
            new Md5HashFunction(), new Murmur3HashFunction(), new OneAtATimeHashFunction(), new Crc32HashFunction());
    private static final List<String> NAMES = ALL.stream().map(HashFunction::name).toList();

    private HashFunctions() {
    }

    /** The function called {@code name}; IllegalArgumentException listing the known names otherwise. */
    public static HashFunction byName(String name) {
        for (HashFunction f : ALL) {
            if (f.name().equals(name)) return f;
        }
        throw new IllegalArgumentException("unknown hash function '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    }

    /** The built-in names, default first: md5, murmur3, one-at-a-time, crc32. */
    public static List<String> names() {
        return NAMES;
    }
}
