package io.tandem.hashdb;

import com.google.common.hash.Hashing;
import io.tandem.api.HashFunction;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashFunctionsTest {
    private static final HashFunction MD5 = HashFunctions.byName("md5");
    private static final HashFunction MURMUR3 = HashFunctions.byName("murmur3");
    private static final HashFunction OAAT = HashFunctions.byName("one-at-a-time");
    private static final HashFunction CRC32 = HashFunctions.byName("crc32");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String hex(HashFunction f, String s) {
        byte[] b = ascii(s);
        return f.hash(b, 0, b.length).toHex(f.length());
    }

    private static byte[] bytes(PacketHash h, int length) {
        byte[] out = new byte[length];
        h.write(length, out, 0);
        return out;
    }

    @Test
    void namesAndLookup() {
        assertEquals(List.of("md5", "murmur3", "one-at-a-time", "crc32"), HashFunctions.names());
        for (String n : HashFunctions.names()) assertEquals(n, HashFunctions.byName(n).name());
        assertSame(MD5, HashFunctions.byName(HashFunctions.DEFAULT));
        assertEquals(16, MD5.length());
        assertEquals(16, MURMUR3.length());
        assertEquals(4, OAAT.length());
        assertEquals(4, CRC32.length());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HashFunctions.byName("sha1"));
        assertEquals("unknown hash function 'sha1' (known: md5, murmur3, one-at-a-time, crc32)", e.getMessage());
    }

    @Test
    void md5KnownVectors() {
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", hex(MD5, ""));
        assertEquals("0cc175b9c0f1b6a831c399e269772661", hex(MD5, "a"));
        assertEquals("9e107d9d372bb6826bd81d3542a419d6", hex(MD5, "The quick brown fox jumps over the lazy dog"));
    }

    @Test
    void md5MatchesMessageDigestOnRealPacketsAndOffsets() throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        for (Packet p : TestPcaps.first(5000)) {
            int n = Math.min(56, p.data().length);
            assertEquals(HexFormat.of().formatHex(md.digest(java.util.Arrays.copyOf(p.data(), n))),
                    MD5.hashPacket(p, 56).toHex(16));
            // Offsets inside the array.
            int off = p.data().length / 3;
            int len = p.data().length - off;
            md.update(p.data(), off, len);
            assertEquals(HexFormat.of().formatHex(md.digest()), MD5.hash(p.data(), off, len).toHex(16));
        }
    }

    @Test
    void murmur3KnownVectors() {
        // MurmurHash3_x64_128, seed 0: h1 and h2 as the reference computes them (Guava's Murmur3Hash128Test values);
        // the hash bytes are h1 then h2, each little-endian.
        assertMurmur(0, 0, "");
        assertMurmur(0x629942693e10f867L, 0x92db0b82baeb5347L, "hell");
        assertMurmur(0xe34bbc7bbc071b6cL, 0x7a433ca9c49a9347L, "The quick brown fox jumps over the lazy dog");
        assertMurmur(0x658ca970ff85269aL, 0x43fee3eaa68e5c3eL, "The quick brown fox jumps over the lazy cog");
        assertEquals("00000000000000000000000000000000", hex(MURMUR3, ""));
        assertEquals("6c1b07bc7bbc4be347939ac4a93c437a", hex(MURMUR3, "The quick brown fox jumps over the lazy dog"));
        // As Guava's murmur3_128 prints it.
        assertEquals("029bbd41b3a7d8cb191dae486a901e5b", hex(MURMUR3, "hello"));
    }

    private static void assertMurmur(long h1, long h2, String input) {
        byte[] b = ascii(input);
        PacketHash h = MURMUR3.hash(b, 0, b.length);
        assertEquals(new PacketHash(Long.reverseBytes(h1), Long.reverseBytes(h2)), h, input);
    }

    @Test
    void murmur3MatchesGuavaOnRandomInputsOfEveryTailLength() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[8 + r.nextInt(200)];
            r.nextBytes(b);
            int off = r.nextInt(8);
            int len = r.nextInt(b.length - off + 1);
            byte[] expected = Hashing.murmur3_128().hashBytes(b, off, len).asBytes();
            assertEquals(HexFormat.of().formatHex(expected), MURMUR3.hash(b, off, len).toHex(16), "length " + len);
        }
        for (Packet p : TestPcaps.first(5000)) {
            int n = Math.min(56, p.data().length);
            assertEquals(HexFormat.of().formatHex(Hashing.murmur3_128().hashBytes(p.data(), 0, n).asBytes()),
                    MURMUR3.hashPacket(p, 56).toHex(16));
        }
    }

    @Test
    void oneAtATimeKnownVectors() {
        assertEquals(new PacketHash(0, 0xca2e9442L), OAAT.hash(ascii("a"), 0, 1));
        byte[] fox = ascii("The quick brown fox jumps over the lazy dog");
        assertEquals(new PacketHash(0, 0x519e91f5L), OAAT.hash(fox, 0, fox.length));
        assertEquals("519e91f5", hex(OAAT, "The quick brown fox jumps over the lazy dog"));
        assertEquals(new PacketHash(0, 0), OAAT.hash(new byte[0], 0, 0));
        // The value is unsigned in the low 32 bits, hi stays 0.
        for (Packet p : TestPcaps.first(2000)) {
            PacketHash h = OAAT.hashPacket(p, 56);
            assertEquals(0, h.hi());
            assertEquals(0, h.lo() >>> 32);
        }
    }

    @Test
    void crc32MatchesJavaUtilZip() {
        assertEquals("414fa339", hex(CRC32, "The quick brown fox jumps over the lazy dog"));
        for (Packet p : TestPcaps.first(5000)) {
            CRC32 c = new CRC32();
            int n = Math.min(56, p.data().length);
            c.update(p.data(), 0, n);
            assertEquals(new PacketHash(0, c.getValue()), CRC32.hashPacket(p, 56));
        }
    }

    @Test
    void packetHashLayoutRoundTrips() {
        byte[] fox = ascii("The quick brown fox jumps over the lazy dog");
        for (String name : HashFunctions.names()) {
            HashFunction f = HashFunctions.byName(name);
            PacketHash h = f.hash(fox, 0, fox.length);
            assertEquals(h, PacketHash.fromHex(h.toHex(f.length())), name);
            assertEquals(h.toHex(f.length()), HexFormat.of().formatHex(bytes(h, f.length())), name);
        }
        // md5's bytes 0..7 are hi, big-endian.
        PacketHash m = MD5.hash(fox, 0, fox.length);
        assertEquals(0x9e107d9d372bb682L, m.hi());
        assertEquals(0x6bd81d3542a419d6L, m.lo());
    }

    @Test
    void snippetLongerThanPacketHashesWholePacket() {
        Packet small = new Packet(0, 10, new byte[] {1, 2, 3});
        for (String name : HashFunctions.names()) {
            HashFunction f = HashFunctions.byName(name);
            assertEquals(f.hash(small.data(), 0, 3), f.hashPacket(small, 56));
        }
    }

    @Test
    void threadSafeUnderConcurrentUse() throws Exception {
        List<Packet> packets = TestPcaps.first(3000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (String name : HashFunctions.names()) {
                HashFunction f = HashFunctions.byName(name);
                List<PacketHash> expected = new ArrayList<>();
                for (Packet p : packets) expected.add(f.hashPacket(p, 56));
                List<Future<Boolean>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    results.add(pool.submit(() -> {
                        for (int round = 0; round < 5; round++) {
                            for (int i = 0; i < packets.size(); i++) {
                                if (!f.hashPacket(packets.get(i), 56).equals(expected.get(i))) return false;
                            }
                        }
                        return true;
                    }));
                }
                for (Future<Boolean> r : results) assertTrue(r.get(), name);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
