package io.tandem.cli;

import io.tandem.api.HashFunction;
import io.tandem.api.Packet;
import io.tandem.capture.PcapFileSource;
import io.tandem.hashdb.HashFunctions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code ./tandem bench hashes}: thesis Table 7 on the shared captures. For each hash function and snippet length,
 * how many packets hash like one of the {@code window} packets before them in the same capture, by network
 * family; beside it how many are byte-for-byte copies of one of those packets (no snippet can tell those apart).
 * A repeat inside the sync window is what the merge must order by neighbours instead of by hash, and what, when
 * every replica is lossy, may be delivered twice.
 */
final class HashRepeats {
    static final Set<String> OPTIONS = Set.of("pcaps", "hash", "snippet", "window");

    /** The families the table splits by: the frame's (VLAN-untagged) ethertype. */
    enum Family { IPV4, IPV6, OTHER }

    /** Counts for one capture set: packets per family, and repeats within the window per family. */
    record Counts(long[] packets, long[] repeats) {
        Counts() {
            this(new long[Family.values().length], new long[Family.values().length]);
        }

        void add(Counts o) {
            for (int i = 0; i < packets.length; i++) {
                packets[i] += o.packets[i];
                repeats[i] += o.repeats[i];
            }
        }

        long total(long[] a) {
            long s = 0;
            for (long x : a) s += x;
            return s;
        }
    }

    private HashRepeats() {
    }

    static int main(Args a, PrintStream out) throws IOException {
        String defaultPcaps = Main.dataFolder().resolve("pcaps").resolve("ordinary") + "," + Main.dataFolder().resolve("pcaps").resolve("attacks");
        List<Path> files = new ArrayList<>();
        for (String p : a.get("pcaps", defaultPcaps).split(",")) files.addAll(captures(Path.of(p)));
        List<String> hashes = List.of(a.get("hash", String.join(",", HashFunctions.names())).split(","));
        for (String h : hashes) HashFunctions.byName(h);
        List<Integer> snippets = Bench.ints(a.get("snippet", "16,32,40,48,56,64,96,119,128,65535"), "snippet");
        int window = a.getInt("window", io.tandem.sync.SyncSettings.DEFAULT_WINDOW_LIMIT, 1, 1 << 20);

        List<List<Packet>> captures = new ArrayList<>();
        long ethernet = 0;
        for (Path f : files) {
            try (PcapFileSource s = new PcapFileSource(f)) {
                if (s.linkType() != 1) continue; // the families are read from the Ethernet header
                List<Packet> ps = new ArrayList<>();
                for (Packet p; (p = s.next()) != null; ) ps.add(p);
                captures.add(ps);
                ethernet += ps.size();
            }
        }
        Counts frames = new Counts();
        for (List<Packet> c : captures) frames.add(count(c, window, p -> ByteBuffer.wrap(p.data())));
        out.printf(Locale.ROOT, "# %d Ethernet captures, %d packets (IPv4 %d, IPv6 %d, other %d); repeats = packets hashing like one of the %d before them in the same capture%n",
                captures.size(), ethernet, frames.packets[0], frames.packets[1], frames.packets[2], window);
        out.printf(Locale.ROOT, "bench hashes frames (byte-identical) repeats ipv4=%d ipv6=%d other=%d all=%d%n",
                frames.repeats[0], frames.repeats[1], frames.repeats[2], frames.total(frames.repeats));
        for (String h : hashes) {
            HashFunction f = HashFunctions.byName(h);
            for (int snippet : snippets) {
                Counts c = new Counts();
                for (List<Packet> ps : captures) c.add(count(ps, window, p -> f.hashPacket(p, snippet)));
                out.printf(Locale.ROOT, "bench hashes hash=%s snippet=%d repeats ipv4=%d ipv6=%d other=%d all=%d%n",
                        h, snippet, c.repeats[0], c.repeats[1], c.repeats[2], c.total(c.repeats));
            }
        }
        return 0;
    }

    /** Packets of one capture, in order, whose key equals the key of one of the {@code window} packets before. */
    static Counts count(List<Packet> capture, int window, java.util.function.Function<Packet, Object> key) {
        Counts c = new Counts();
        Map<Object, Integer> inWindow = new HashMap<>();
        ArrayDeque<Object> order = new ArrayDeque<>();
        for (Packet p : capture) {
            Object k = key.apply(p);
            int fam = family(p).ordinal();
            c.packets[fam]++;
            if (inWindow.containsKey(k)) c.repeats[fam]++;
            inWindow.merge(k, 1, Integer::sum);
            order.addLast(k);
            if (order.size() > window) {
                Object old = order.removeFirst();
                inWindow.computeIfPresent(old, (x, n) -> n == 1 ? null : n - 1);
            }
        }
        return c;
    }

    static Family family(Packet p) {
        byte[] d = p.data();
        int at = 12;
        while (d.length >= at + 2) {
            int type = ((d[at] & 0xff) << 8) | (d[at + 1] & 0xff);
            if (type == 0x8100 || type == 0x88a8) {
                at += 4;
                continue;
            }
            return type == 0x0800 ? Family.IPV4 : type == 0x86dd ? Family.IPV6 : Family.OTHER;
        }
        return Family.OTHER;
    }

    private static List<Path> captures(Path p) throws IOException {
        if (!Files.isDirectory(p)) return List.of(p);
        try (Stream<Path> s = Files.list(p)) {
            return s.filter(f -> f.toString().endsWith(".pcap") || f.toString().endsWith(".cap")).sorted().toList();
        }
    }
}
