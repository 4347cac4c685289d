package io.tandem.analyzer.rules.internal;

import java.util.Arrays;

/**
 * A flow's identity independent of direction: protocol and the two endpoints in a fixed order (A is the smaller
 * address/port), so both directions of a conversation find the same flow.
 */
public final class FlowKey {
    final int proto;
    final byte[] a, b;
    final int portA, portB;
    private final int hash;

    private FlowKey(int proto, byte[] a, int portA, byte[] b, int portB) {
        this.proto = proto;
        this.a = a;
        this.b = b;
        this.portA = portA;
        this.portB = portB;
        this.hash = (Arrays.hashCode(a) * 31 + Arrays.hashCode(b)) * 31 + (portA * 65599 ^ portB) * 31 + proto;
    }

    /** @param srcIsA out: srcIsA[0] tells whether the packet's source is endpoint A */
    static FlowKey of(Decoded d, boolean[] srcIsA) {
        byte[] s, t;
        if (d.ipVersion == 4) {
            s = v4(d.srcV4);
            t = v4(d.dstV4);
        } else {
            s = d.src6.clone();
            t = d.dst6.clone();
        }
        int c = Arrays.compareUnsigned(s, t);
        boolean sa = c < 0 || (c == 0 && d.srcPort <= d.dstPort);
        srcIsA[0] = sa;
        return sa ? new FlowKey(d.proto, s, d.srcPort, t, d.dstPort) : new FlowKey(d.proto, t, d.dstPort, s, d.srcPort);
    }

    private static byte[] v4(int x) {
        return new byte[]{(byte) (x >>> 24), (byte) (x >>> 16), (byte) (x >>> 8), (byte) x};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && k.hash == hash && k.proto == proto && k.portA == portA && k.portB == portB
                && Arrays.equals(k.a, a) && Arrays.equals(k.b, b);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
