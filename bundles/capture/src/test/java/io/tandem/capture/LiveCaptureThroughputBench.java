package io.tandem.capture;

import io.tandem.api.Packet;
import io.tandem.capture.internal.PcapDumpBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How fast frames leave libpcap by each {@link LiveCaptureSource.ReadMethod}. Not part of the normal run:
 * {@code mvn -B -q install -pl bundles/api,bundles/capture -Dtest=LiveCaptureThroughputBench -Dtandem.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false} (as root), figures on standard output.
 */
@EnabledIfSystemProperty(named = "tandem.bench", matches = "true")
class LiveCaptureThroughputBench {
    static final String FILE = "attacks/ppa1e_ftp-crack.pcap"; // 19,730 frames of 54..96 bytes
    static long sink;

    /** The same three ways on an offline handle: the cost of getting frames out of libpcap, no kernel involved. */
    @Test
    void offline() throws Exception {
        Path file = TestData.pcap(FILE);
        int reps = Integer.getInteger("tandem.bench.reps", 40);
        for (int round = 0; round < 3; round++) {
            for (String m : List.of("NEXT_RAW", "LISTENER", "DUMP_BATCH")) {
                long n = 0;
                long t0 = System.nanoTime();
                for (int r = 0; r < reps; r++) {
                    PcapHandle h = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.MICRO);
                    try {
                        switch (m) {
                            case "NEXT_RAW" -> {
                                try {
                                    while (true) {
                                        byte[] b = h.getNextRawPacketEx();
                                        sink += b.length + h.getTimestamp().getNanos() + h.getOriginalLength();
                                        n++;
                                    }
                                } catch (java.io.EOFException e) {
                                    // end of file
                                }
                            }
                            case "LISTENER" -> {
                                long[] c = {0};
                                RawPacketListener l = b -> {
                                    sink += b.length + h.getTimestamp().getNanos() + h.getOriginalLength();
                                    c[0]++;
                                };
                                while (h.dispatch(1024, l) > 0) {
                                    // counted by the listener
                                }
                                n += c[0];
                            }
                            default -> {
                                try (PcapDumpBatch batch = PcapDumpBatch.open(h, 1024)) {
                                    Packet[] into = new Packet[1024];
                                    for (int k; (k = batch.dispatch(into, into.length, null)) > 0; ) {
                                        for (int i = 0; i < k; i++) sink += into[i].data().length + into[i].timestampMicros();
                                        n += k;
                                    }
                                }
                            }
                        }
                    } finally {
                        h.close();
                    }
                }
                long dt = System.nanoTime() - t0;
                if (round > 0) {
                    System.out.printf("offline %-10s %,9d frames %6.0f ms %,8.0f kpps %6.2f us/frame%n", m, n, dt / 1e6, n / (dt / 1e6), dt / 1e3 / n);
                }
            }
        }
    }

    /** tcpreplay --topspeed on a veth; the reader's CPU time per frame, and what the kernel dropped. */
    @Test
    void live() throws Exception {
        Veth.requireTestBed();
        Path file = TestData.pcap(FILE);
        int loops = Integer.getInteger("tandem.bench.loops", 10);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Veth veth = Veth.create()) {
            for (int round = 0; round < 2; round++) {
                for (LiveCaptureSource.ReadMethod m : LiveCaptureSource.ReadMethod.values()) {
                    LiveCaptureSource src = LiveCaptureSource.open(LiveCaptureSettings.of(veth.capture), m);
                    long[] cpu = new long[1];
                    Thread reader = new Thread(() -> {
                        try {
                            Packet[] b = new Packet[1024];
                            for (int n; (n = src.nextBatch(b, b.length)) > 0; ) {
                                for (int i = 0; i < n; i++) sink += b[i].data().length;
                            }
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        } finally {
                            cpu[0] = mx.getCurrentThreadCpuTime();
                        }
                    });
                    reader.start();
                    long t0 = System.nanoTime();
                    String report = veth.replay(file, "--topspeed", "--loop=" + loops);
                    long sent = Veth.sent(report);
                    long end = System.nanoTime() + 10_000_000_000L;
                    while (System.nanoTime() < end) {
                        LiveCaptureStats s = src.stats();
                        if (s.delivered() + s.dropped() >= sent) break;
                        Thread.sleep(20);
                    }
                    long dt = System.nanoTime() - t0;
                    src.close();
                    reader.join();
                    LiveCaptureStats s = src.stats();
                    assertEquals(sent, s.received(), "received");
                    String rate = report.lines().filter(l -> l.contains("Rated:")).findFirst().orElse("").trim();
                    System.out.printf("live %-10s sent %,d delivered %,d dropped %,d  reader cpu %.2f us/frame (%.0f kpps per core)  wall %.0f ms  tcpreplay %s%n",
                            m, sent, s.delivered(), s.dropped(), cpu[0] / 1e3 / s.delivered(), s.delivered() / (cpu[0] / 1e6), dt / 1e6, rate);
                }
            }
        }
    }
}
