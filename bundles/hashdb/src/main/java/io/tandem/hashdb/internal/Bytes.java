package io.tandem.hashdb.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Multi-byte views of byte arrays; the JIT turns these into single loads and stores. */
public final class Bytes {
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    public static long longBE(byte[] b, int offset) {
        return (long) LONG_BE.get(b, offset);
    }

    public static long longLE(byte[] b, int offset) {
        return (long) LONG_LE.get(b, offset);
    }

    public static void putLongBE(byte[] b, int offset, long v) {
        LONG_BE.set(b, offset, v);
    }

    public static void putIntBE(byte[] b, int offset, int v) {
        INT_BE.set(b, offset, v);
    }
}
