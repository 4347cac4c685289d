package io.tandem.cli;

import com.sun.management.OperatingSystemMXBean;
import io.tandem.api.ClusterParameters;
import io.tandem.api.HashDatabase;
import io.tandem.api.HashFunction;
import io.tandem.api.Packet;
import io.tandem.api.PacketHash;
import io.tandem.capture.LoopedCapture;
import io.tandem.capture.PcapFileSource;
import io.tandem.hashdb.HashFunctions;
import io.tandem.hashdb.PacketHashDatabase;
import io.tandem.sync.SyncSettings;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** {@code ./tandem bench}: figures for docs/benchmarks.md, printed one line per measurement. */
final class Bench {
    static final Set<String> SYNC_OPTIONS = Set.of("replicas", "loss", "cluster", "packets", "source", "mode", "hash", "snippet", "window");
    static final Set<String> CAPTURE_OPTIONS = Set.of("source", "packets", "hash", "snippet");

    private Bench() {
    }

    static int sync(Args a, PrintStream out) throws Exception {
        List<Integer> replicaCounts = ints(a.get("replicas", "2,3"), "replicas");
        List<Double> losses = doubles(a.get("loss", "0,0.05,0.5,5,50"));
        List<Integer> clusters = ints(a.get("cluster", "8,56,1024"), "cluster");
        long packets = a.getLong("packets", 1_000_000, 1000, Long.MAX_VALUE);
        int mode = a.getInt("mode", 1, 0, 1);
        String hash = a.get("hash", "md5");
        int snippet = a.getInt("snippet", ClusterParameters.DEFAULTS.snippet(), 1, 65535);
        int window = a.getInt("window", SyncSettings.DEFAULT_WINDOW_LIMIT, 1, 1 << 16);
        LoopedCapture capture = LoopedCapture.load(Path.of(a.get("source", Main.defaultSource())));
        // the packets are built before any cell is timed: the figure is the sync's, not the re-stamping's
        if (packets <= 20_000_000) capture.preload(packets);
        out.printf(Locale.ROOT, "# %d cores, max heap %d MB, source %d packets looped to %d%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, capture.size(), packets);
        int failed = 0;
        for (int n : replicaCounts) {
            for (double loss : losses) {
                for (int k : clusters) {
                    failed += syncCell(out, capture, n, loss, k, packets, mode, hash, snippet, window) ? 0 : 1;
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static boolean syncCell(PrintStream out, LoopedCapture capture, int n, double loss, int k, long packets, int mode, String hash, int snippet, int window) throws Exception {
        String drop = loss == 0 ? "0" : Long.toString(Math.round(loss * 1000));
        Map<Integer, String> drops = new java.util.HashMap<>();
        for (int i = 1; i <= n; i++) drops.put(i, drop);
        SimCluster.Options o = new SimCluster.Options(capture, packets, n, drops, new ClusterParameters(k, 4, hash, snippet), mode, 0, window,
                1 << 18, 0, 42, null, false, null);
        System.gc();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        AtomicLong peakHeap = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        long cpu0 = os.getProcessCpuTime();
        try (SimCluster cluster = new SimCluster(o)) {
            List<String> failures = cluster.run(1800);
            long cpu = os.getProcessCpuTime() - cpu0;
            sampler.interrupt();
            double secs = cluster.seconds();
            HashLog first = cluster.replicas.get(0).log;
            long delivered = first.size();
            long bootIndex = Sim.bootIndex(cluster.hash, snippet, capture, first, o.leaderLate(), packets,
                    cluster.replicas.get(0).firstPacket);
            long setLost = packets - bootIndex - delivered;
            double cpuPct = 100.0 * cpu / 1e9 / secs / Runtime.getRuntime().availableProcessors();
            out.printf(Locale.ROOT, "bench sync replicas=%d k=%d snippet=%d loss=%s%% pps=%.0f set_lost=%d cpu=%.0f%% heap=%dMB%s%n",
                    n, k, snippet, fmt(loss), delivered / secs, setLost, cpuPct, peakHeap.get() >> 20,
                    failures.isEmpty() ? "" : " FAILED: " + String.join("; ", failures));
            return failures.isEmpty();
        }
    }

    static int capture(Args a, PrintStream out) throws Exception {
        Path source = Path.of(a.get("source", Main.defaultSource()));
        long packets = a.getLong("packets", 2_000_000, 1000, Long.MAX_VALUE);
        HashFunction hash = HashFunctions.byName(a.get("hash", "md5"));
        long read = 0;
        long t0 = System.nanoTime();
        while (read < packets) {
            long before = read;
            try (PcapFileSource s = new PcapFileSource(source)) {
                while (read < packets && s.next() != null) read++;
            }
            if (read == before) throw new IllegalArgumentException(source + " holds no packets");
        }
        double readSecs = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "bench capture read=pcap4j source=%s packets=%d pps=%.0f%n", source, read, read / readSecs);

        LoopedCapture capture = LoopedCapture.load(source);
        List<Packet> sample = new ArrayList<>();
        for (int i = 0; i < capture.size(); i++) sample.add(capture.get(i));
        int snippet = ClusterParameters.DEFAULTS.snippet();
        for (int b : ints(a.get("snippet", Integer.toString(snippet)), "snippet")) {
            long sink = 0;
            t0 = System.nanoTime();
            for (long i = 0; i < packets; i++) sink += hash.hashPacket(sample.get((int) (i % sample.size())), b).lo();
            double hashSecs = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "bench capture hash=%s snippet=%d packets=%d pps=%.0f (checksum %x)%n", hash.name(), b, packets, packets / hashSecs, sink);
        }

        PacketHashDatabase db = new PacketHashDatabase(hash, snippet, 1 << 16, HashDatabase.WhenFull.DROP);
        db.rebase(0);
        t0 = System.nanoTime();
        for (long i = 0; i < packets; i++) {
            db.register(sample.get((int) (i % sample.size())));
            if ((i & 4095) == 4095) db.free(db.end() - 1024);
        }
        double regSecs = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "bench capture register=%s snippet=%d packets=%d pps=%.0f dropped=%d%n", hash.name(), snippet, packets, packets / regSecs, db.stats().droppedFull());
        return 0;
    }

    static List<Integer> ints(String csv, String name) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            try {
                out.add(Integer.parseInt(s.trim()));
            } catch (NumberFormatException e) {
                throw new Args.UsageException("--" + name + " takes numbers separated by commas, not '" + csv + "'");
            }
        }
        return out;
    }

    private static List<Double> doubles(String csv) {
        List<Double> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            try {
                double d = Double.parseDouble(s.trim().replace("%", ""));
                if (d < 0 || d > 100) throw new NumberFormatException();
                out.add(d);
            } catch (NumberFormatException e) {
                throw new Args.UsageException("--loss takes percentages 0..100 separated by commas, not '" + csv + "'");
            }
        }
        return out;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
