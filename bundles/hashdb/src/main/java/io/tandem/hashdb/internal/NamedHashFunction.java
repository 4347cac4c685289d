package io.tandem.hashdb.internal;

import io.tandem.api.HashFunction;

/** What every built-in hash function shares: its configuration name and its length. */
abstract class NamedHashFunction implements HashFunction {
    private final String name;
    private final int length;

    NamedHashFunction(String name, int length) {
        this.name = name;
        this.length = length;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int length() {
        return length;
    }

    @Override
    public String toString() {
        return name;
    }
}
