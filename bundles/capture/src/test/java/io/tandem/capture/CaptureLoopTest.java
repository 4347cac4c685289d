package io.tandem.capture;

import io.tandem.api.Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureLoopTest {

    @Test
    void registersWhatTheRandomDropLeavesAndEndsOnce() throws Exception {
        Path file = TestData.pcap("ordinary/ftp_cwd-navigation.pcap");
        List<Packet> all = PcapFileSourceTest.readAll(file);
        RandomDrop reference = RandomDrop.parse("5%", 99);
        List<Packet> survivors = new ArrayList<>();
        for (Packet p : all) if (!reference.drop(p)) survivors.add(p);

        CaptureOnlyHashDatabase db = new CaptureOnlyHashDatabase(Integer.MAX_VALUE);
        try (PcapFileSource source = new PcapFileSource(file)) {
            CaptureLoop loop = new CaptureLoop(source, RandomDrop.parse("5%", 99), db);
            long read = 0;
            for (int n; (n = loop.captureSome(100)) >= 0; ) {
                assertTrue(n <= 100);
                read += n;
            }
            assertEquals(all.size(), read);
            assertEquals(-1, loop.captureSome(100));
            assertEquals(-1, loop.captureSome(100));
            assertEquals(1, db.sourceEndedCalls());
            assertTrue(loop.sourceEnded());
            assertNull(loop.sourceError());
            assertEquals(all.size(), loop.seen());
            assertEquals(reference.dropped(), loop.randomDropped());
            assertEquals(loop.seen(), loop.randomDropped() + loop.registered());
            assertEquals(loop.randomDropped(), loop.randomDrop().dropped());
            List<Packet> got = db.registered();
            assertEquals(survivors.size(), got.size());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(survivors.get(i).timestampMicros(), got.get(i).timestampMicros(), "packet " + i);
                assertTrue(Arrays.equals(survivors.get(i).data(), got.get(i).data()), "packet " + i);
            }
        }
    }

    @Test
    void failingSourceKeepsWhatWasRegisteredAndEnds(@TempDir Path tmp) throws Exception {
        Path real = TestData.pcap("ordinary/http_bro.org.pcap");
        List<TestData.Rec> recs = TestData.readPlain(real);
        TestData.Rec cut = recs.get(300);
        Path f = tmp.resolve("cut.pcap");
        Files.write(f, Arrays.copyOf(Files.readAllBytes(real), (int) cut.offset() + 16 + 3));

        CaptureOnlyHashDatabase db = new CaptureOnlyHashDatabase(Integer.MAX_VALUE);
        try (PcapFileSource source = new PcapFileSource(f)) {
            CaptureLoop loop = new CaptureLoop(source, RandomDrop.none(), db);
            Thread t = new Thread(loop, "capture");
            t.start();
            t.join(30_000);
            assertFalse(t.isAlive());
            assertEquals(300, loop.seen());
            assertEquals(300, loop.registered());
            assertEquals(300, db.registered().size());
            assertEquals(1, db.sourceEndedCalls());
            assertTrue(loop.sourceEnded());
            assertTrue(loop.sourceError().contains("cut.pcap: truncated record at byte offset " + cut.offset()), loop.sourceError());
            assertEquals(-1, loop.captureSome(10));
            assertEquals(1, db.sourceEndedCalls());
            assertTrue(loop.toString().contains("failed: "), loop.toString());
        }
    }

    @Test
    void interruptStopsTheLoopWithoutEndingTheSource() throws Exception {
        LoopedCapture lc = LoopedCapture.load(TestData.pcap("attacks/ppa2e_synscan.pcap"));
        CaptureOnlyHashDatabase db = new CaptureOnlyHashDatabase(5000);   // blocks when full, like BLOCK mode
        CaptureLoop loop = new CaptureLoop(lc.cursor(Long.MAX_VALUE), RandomDrop.none(), db);
        Thread t = new Thread(loop, "capture");
        t.start();
        db.awaitRegistered(5000);
        t.interrupt();
        t.join(30_000);
        assertFalse(t.isAlive());
        assertFalse(loop.sourceEnded());
        assertEquals(0, db.sourceEndedCalls());
        assertEquals(5000, loop.registered());
        List<Packet> got = db.registered();
        for (int i = 0; i < got.size(); i++) assertSame(lc.get(i % lc.size()).data(), got.get(i).data());
    }
}
