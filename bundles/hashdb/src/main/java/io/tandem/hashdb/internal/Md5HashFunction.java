package io.tandem.hashdb.internal;

import io.tandem.api.PacketHash;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** MD5 (16 bytes), the thesis's packet hash. */
public class Md5HashFunction extends NamedHashFunction {
    public static final String NAME = "md5";

    public Md5HashFunction() {
        super(NAME, 16);
    }

    /** A digest and an output buffer per thread: MessageDigest is not thread-safe and getInstance per call is slow. */
    private static final class State {
        final MessageDigest digest;
        final byte[] out = new byte[16];

        State() {
            try {
                digest = MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("MD5 is mandatory in every Java platform", e);
            }
        }
    }

    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

    @Override
    public PacketHash hash(byte[] data, int offset, int length) {
        State s = STATE.get();
        s.digest.update(data, offset, length);
        try {
            s.digest.digest(s.out, 0, 16);
        } catch (DigestException e) {
            throw new IllegalStateException("MD5 digest into a 16-byte buffer failed", e);
        }
        return new PacketHash(Bytes.longBE(s.out, 0), Bytes.longBE(s.out, 8));
    }
}
