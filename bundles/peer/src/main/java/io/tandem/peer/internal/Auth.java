package io.tandem.peer.internal;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The login proofs: HMAC-SHA256, keyed with the cluster secret, over a domain label and both nonces and ids.
 * The client and server labels differ so that one side's proof can never be replayed as the other's.
 */
public final class Auth {
    static final String CLIENT_LABEL = "tandem-login-v1 client";
    static final String SERVER_LABEL = "tandem-login-v1 server";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    public Auth(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    public static byte[] nonce() {
        byte[] n = new byte[Wire.NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    /** What the client sends in {@code login}. */
    public byte[] clientMac(byte[] serverNonce, byte[] clientNonce, String serverId, String clientId) {
        return mac(CLIENT_LABEL, serverNonce, clientNonce, serverId, clientId);
    }

    /** What the server sends in {@code login-ok}. */
    public byte[] serverProof(byte[] serverNonce, byte[] clientNonce, String serverId, String clientId) {
        return mac(SERVER_LABEL, serverNonce, clientNonce, serverId, clientId);
    }

    /** Constant-time comparison, so a forger learns nothing from how fast a wrong MAC is rejected. */
    public static boolean same(byte[] expected, byte[] received) {
        return MessageDigest.isEqual(expected, received);
    }

    private byte[] mac(String label, byte[] serverNonce, byte[] clientNonce, String serverId, String clientId) {
        ByteArrayOutputStream data = new ByteArrayOutputStream(128);
        data.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        data.write(0);
        data.writeBytes(serverNonce);
        data.writeBytes(clientNonce);
        // Length prefixes keep ("ab","c") and ("a","bc") apart.
        writeString(data, serverId);
        writeString(data, clientId);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >>> 8);
        out.write(b.length);
        out.writeBytes(b);
    }
}
