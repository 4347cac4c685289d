package io.tandem.capture;

import io.tandem.api.Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapFileSourceTest {

    static List<Packet> readAll(PcapFileSource s) throws IOException {
        List<Packet> out = new ArrayList<>();
        for (Packet p = s.next(); p != null; p = s.next()) out.add(p);
        return out;
    }

    static List<Packet> readAll(Path p) throws IOException {
        try (PcapFileSource s = new PcapFileSource(p)) {
            return readAll(s);
        }
    }

    @Test
    void everyRealCaptureIsReadWhole_sameBytesTimestampsAndLengthsAsInTheFile() throws IOException {
        long total = 0;
        for (Path f : TestData.realCaptures()) {
            List<TestData.Rec> expected = TestData.readPlain(f);
            try (PcapFileSource s = new PcapFileSource(f)) {
                assertEquals(1, s.linkType(), f + " link type");
                List<Packet> got = readAll(s);
                assertEquals(expected.size(), got.size(), f + " packet count");
                assertEquals(expected.size(), s.packetsRead());
                for (int i = 0; i < got.size(); i++) {
                    Packet p = got.get(i);
                    TestData.Rec r = expected.get(i);
                    assertEquals(r.tsMicros(), p.timestampMicros(), f + " packet " + i + " timestamp");
                    assertEquals(r.origLen(), p.wireLength(), f + " packet " + i + " wire length");
                    assertArrayEquals(r.data(), p.data(), f + " packet " + i + " bytes");
                }
                assertNull(s.next(), "stays at end");
                assertNull(s.next(), "stays at end");
                total += got.size();
            }
        }
        assertTrue(total > 40_000, "read " + total + " packets in all");
    }

    @Test
    void packetCountsEqualTcpdumps() throws Exception {
        assertTrue(TestData.haveTcpdump(), "tcpdump is needed (.ci/run installs it)");
        for (Path f : TestData.realCaptures()) {
            long tcpdump = TestData.tcpdumpCount(f);
            assertTrue(tcpdump > 0, f + ": tcpdump saw nothing");
            assertEquals(tcpdump, readAll(f).size(), f + ": packets vs tcpdump");
        }
    }

    @Test
    void otherLinkTypesOpenWithTheirLinkType() throws Exception {
        assertTrue(TestData.haveTcpdump(), "tcpdump is needed (.ci/run installs it)");
        Map<String, Integer> wanted = Map.of("link-type IPV4 ", 228, "link-type LINUX_SLL ", 113, "link-type NULL ", 0,
                "link-type EN10MB ", 1);
        Map<Integer, Integer> found = new java.util.TreeMap<>();
        List<Path> files;
        try (var s = Files.walk(TestData.dataDir().resolve("suricata-verify"), 2)) {
            files = s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
        }
        for (Path f : files) {
            String line = TestData.tcpdumpLinkLine(f);
            for (var e : wanted.entrySet()) {
                if (!line.contains(e.getKey())) continue;
                try (PcapFileSource s = new PcapFileSource(f)) {
                    assertEquals((int) e.getValue(), s.linkType(), f + ": " + line);
                    assertTrue(s.describe().contains(f.toString()));
                    assertEquals(TestData.tcpdumpCount(f), readAll(s).size(), f + " count");
                }
                found.merge(e.getValue(), 1, Integer::sum);
            }
        }
        for (int lt : List.of(0, 1, 113, 228)) assertTrue(found.containsKey(lt), "no suricata-verify capture with link type " + lt + ": " + found);
    }

    @Test
    void truncatedCopyDeliversEveryGoodPacketThenNamesTheOffset(@TempDir Path tmp) throws IOException {
        Path real = TestData.pcap("ordinary/http_bro.org.pcap");
        List<TestData.Rec> recs = TestData.readPlain(real);
        int k = 400;
        TestData.Rec cut = recs.get(k);
        assertTrue(cut.capLen() > 40, "want a record with a body to cut into");
        byte[] bytes = Files.readAllBytes(real);
        Path f = tmp.resolve("capture.pcap");
        long cutAt = cut.offset() + 16 + cut.capLen() / 2;
        Files.write(f, Arrays.copyOf(bytes, (int) cutAt));

        try (PcapFileSource s = new PcapFileSource(f)) {
            for (int i = 0; i < k; i++) {
                Packet p = s.next();
                assertArrayEquals(recs.get(i).data(), p.data(), "packet " + i);
                assertEquals(recs.get(i).tsMicros(), p.timestampMicros());
            }
            IOException e = assertThrows(IOException.class, s::next);
            String m = e.getMessage();
            assertTrue(m.contains("capture.pcap"), m);
            assertTrue(m.contains("truncated record at byte offset " + cut.offset() + " "), m);
            assertTrue(m.contains("header says " + cut.capLen() + " bytes, " + (cutAt - cut.offset() - 16) + " left"), m);
            assertFalse(m.contains("\n"), "one line: " + m);
            assertEquals(k, s.packetsRead());
            IOException again = assertThrows(IOException.class, s::next);
            assertEquals(m, again.getMessage(), "the error stays");
        }
    }

    @Test
    void cutInsideARecordHeader(@TempDir Path tmp) throws IOException {
        Path real = TestData.pcap("attacks/ppa1e_portscan.pcap");
        List<TestData.Rec> recs = TestData.readPlain(real);
        TestData.Rec cut = recs.get(recs.size() - 1);
        Path f = tmp.resolve("short-header.pcap");
        Files.write(f, Arrays.copyOf(Files.readAllBytes(real), (int) cut.offset() + 7));
        try (PcapFileSource s = new PcapFileSource(f)) {
            for (int i = 0; i < recs.size() - 1; i++) assertArrayEquals(recs.get(i).data(), s.next().data());
            IOException e = assertThrows(IOException.class, s::next);
            assertTrue(e.getMessage().contains("short-header.pcap: truncated record header at byte offset " + cut.offset()
                    + " (7 of 16 bytes)"), e.getMessage());
        }
    }

    @Test
    void corruptRecordLengthIsNamedWithItsOffset(@TempDir Path tmp) throws IOException {
        Path real = TestData.pcap("ordinary/ppa1e_ftp.pcap");
        List<TestData.Rec> recs = TestData.readPlain(real);
        TestData.Rec bad = recs.get(10);
        byte[] bytes = Files.readAllBytes(real);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt((int) bad.offset() + 8, 0x7fff0000);
        Path f = tmp.resolve("corrupt.pcap");
        Files.write(f, bytes);
        try (PcapFileSource s = new PcapFileSource(f)) {
            for (int i = 0; i < 10; i++) assertArrayEquals(recs.get(i).data(), s.next().data());
            IOException e = assertThrows(IOException.class, s::next);
            assertTrue(e.getMessage().contains("corrupt.pcap: bad record at byte offset " + bad.offset()), e.getMessage());
        }
    }

    @Test
    void notPcapAtAll(@TempDir Path tmp) throws IOException {
        Path garbage = tmp.resolve("notes.pcap");
        Files.writeString(garbage, "this is not a capture, just some text long enough for a header\n");
        IOException e = assertThrows(IOException.class, () -> new PcapFileSource(garbage));
        assertEquals(garbage + ": not a pcap file (magic 0x74686973)", e.getMessage());

        Path tiny = tmp.resolve("tiny.pcap");
        Files.write(tiny, new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0});
        e = assertThrows(IOException.class, () -> new PcapFileSource(tiny));
        assertTrue(e.getMessage().startsWith(tiny + ": not a pcap file (6 bytes"), e.getMessage());

        Path empty = tmp.resolve("empty.pcap");
        Files.write(empty, new byte[0]);
        e = assertThrows(IOException.class, () -> new PcapFileSource(empty));
        assertTrue(e.getMessage().startsWith(empty + ": not a pcap file"), e.getMessage());

        e = assertThrows(IOException.class, () -> new PcapFileSource(tmp.resolve("missing.pcap")));
        assertTrue(e.getMessage().contains("missing.pcap: no such file"), e.getMessage());
    }

    @Test
    void pcapngIsRefusedSayingSo(@TempDir Path tmp) throws IOException {
        // a pcapng section header block: type 0x0a0d0d0a, length 28, byte-order magic 0x1a2b3c4d, version 1.0
        ByteBuffer b = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x0a0d0d0a).putInt(28).putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
        Path f = tmp.resolve("capture.pcapng.pcap");
        Files.write(f, b.array());
        IOException e = assertThrows(IOException.class, () -> new PcapFileSource(f));
        assertTrue(e.getMessage().startsWith(f + ": pcapng is not supported"), e.getMessage());
    }

    @Test
    void unsupportedLinkTypeIsNamed(@TempDir Path tmp) throws IOException {
        byte[] bytes = Files.readAllBytes(TestData.pcap("ordinary/ppa1e_ftp.pcap"));
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(20, 105);
        Path f = tmp.resolve("wifi.pcap");
        Files.write(f, bytes);
        IOException e = assertThrows(IOException.class, () -> new PcapFileSource(f));
        assertTrue(e.getMessage().startsWith(f + ": link type 105 (IEEE802_11) is not supported"), e.getMessage());
    }

    @Test
    void folderIsReadInNameOrder(@TempDir Path tmp) throws IOException {
        Path a = TestData.pcap("attacks/ndpi_sql_injection.pcap");
        Path b = TestData.pcap("ordinary/ppa2e_http_google.pcap");
        Path c = TestData.pcap("attacks/http_dvwa_directorytraversal.pcap");
        Files.copy(b, tmp.resolve("2-b.pcap"));
        Files.copy(c, tmp.resolve("3-c.CAP"));
        Files.copy(a, tmp.resolve("1-a.pcap"));
        Files.writeString(tmp.resolve("0-readme.txt"), "not a capture");
        Files.createDirectory(tmp.resolve("0-sub.pcap"));

        List<Packet> expected = new ArrayList<>();
        for (Path p : List.of(a, b, c)) expected.addAll(readAll(p));
        try (PcapFileSource s = new PcapFileSource(tmp)) {
            assertEquals(List.of(tmp.resolve("1-a.pcap"), tmp.resolve("2-b.pcap"), tmp.resolve("3-c.CAP")), s.files());
            assertTrue(s.describe().contains("3 files"), s.describe());
            List<Packet> got = readAll(s);
            assertEquals(expected.size(), got.size());
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(expected.get(i).data(), got.get(i).data(), "packet " + i);
                assertEquals(expected.get(i).timestampMicros(), got.get(i).timestampMicros(), "packet " + i);
            }
        }
    }

    @Test
    void folderWithTwoLinkTypesIsRefused(@TempDir Path tmp) throws IOException {
        Files.copy(TestData.pcap("attacks/ndpi_sql_injection.pcap"), tmp.resolve("a.pcap"));
        Files.copy(TestData.dataDir().resolve("suricata-verify/tcp-fastopen-04/tfo.pcap"), tmp.resolve("b.pcap"));
        IOException e = assertThrows(IOException.class, () -> new PcapFileSource(tmp));
        assertTrue(e.getMessage().contains("a.pcap has link type 1 (EN10MB) but b.pcap has 113 (LINUX_SLL)"), e.getMessage());
    }

    @Test
    void folderWithoutCapturesIsRefused(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("x.txt"), "x");
        IOException e = assertThrows(IOException.class, () -> new PcapFileSource(tmp));
        assertTrue(e.getMessage().contains("no *.pcap or *.cap file"), e.getMessage());
    }

    @Test
    void badFileInAFolderStopsTheStreamAfterItsGoodPackets(@TempDir Path tmp) throws IOException {
        Path a = TestData.pcap("attacks/ndpi_sql_injection.pcap");
        List<TestData.Rec> recs = TestData.readPlain(a);
        Files.write(tmp.resolve("1.pcap"), Arrays.copyOf(Files.readAllBytes(a), (int) recs.get(3).offset() + 20));
        Files.copy(TestData.pcap("ordinary/ppa2e_http_google.pcap"), tmp.resolve("2.pcap"));
        try (PcapFileSource s = new PcapFileSource(tmp)) {
            for (int i = 0; i < 3; i++) assertArrayEquals(recs.get(i).data(), s.next().data());
            IOException e = assertThrows(IOException.class, s::next);
            assertTrue(e.getMessage().startsWith(tmp.resolve("1.pcap") + ": truncated record at byte offset " + recs.get(3).offset()),
                    e.getMessage());
        }
    }

    /** Nanosecond and big-endian variants of a real capture: libpcap reads both; timestamps come out in micros. */
    @Test
    void nanosecondAndBigEndianVariants(@TempDir Path tmp) throws IOException {
        Path real = TestData.pcap("ordinary/dns-edns-ecs.pcap");
        List<TestData.Rec> recs = TestData.readPlain(real);
        byte[] src = Files.readAllBytes(real);

        ByteBuffer nano = ByteBuffer.wrap(src.clone()).order(ByteOrder.LITTLE_ENDIAN);
        nano.putInt(0, 0xa1b23c4d);
        for (TestData.Rec r : recs) {
            int at = (int) r.offset() + 4;
            nano.putInt(at, nano.getInt(at) * 1000 + 999);
        }
        Path nanoFile = tmp.resolve("nano.pcap");
        Files.write(nanoFile, nano.array());

        ByteBuffer in = ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer big = ByteBuffer.wrap(src.clone()).order(ByteOrder.BIG_ENDIAN);
        big.putInt(0, 0xa1b2c3d4).putShort(4, in.getShort(4)).putShort(6, in.getShort(6));
        for (int i = 8; i < 24; i += 4) big.putInt(i, in.getInt(i));
        for (TestData.Rec r : recs) {
            for (int i = 0; i < 16; i += 4) big.putInt((int) r.offset() + i, in.getInt((int) r.offset() + i));
        }
        Path bigFile = tmp.resolve("big.pcap");
        Files.write(bigFile, big.array());

        for (Path f : List.of(nanoFile, bigFile)) {
            List<Packet> got = readAll(f);
            assertEquals(recs.size(), got.size(), f.toString());
            for (int i = 0; i < recs.size(); i++) {
                assertEquals(recs.get(i).tsMicros(), got.get(i).timestampMicros(), f + " packet " + i);
                assertEquals(recs.get(i).origLen(), got.get(i).wireLength(), f + " packet " + i);
                assertArrayEquals(recs.get(i).data(), got.get(i).data(), f + " packet " + i);
            }
        }
    }

    @Test
    void closedSourceReturnsNull() throws IOException {
        PcapFileSource s = new PcapFileSource(TestData.pcap("ordinary/ppa1e_ftp.pcap"));
        s.next();
        s.close();
        assertNull(s.next());
        s.close();
        assertTrue(s.describe().startsWith("pcap file "), s.describe());
        assertTrue(s.describe().contains("1 (EN10MB)"), s.describe());
    }
}
