package io.tandem.hashdb;

import io.tandem.api.Packet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Real captured frames for the tests: a minimal classic-pcap reader (the capture module is not a dependency). */
public final class TestPcaps {
    private static List<Packet> ordinary;

    private TestPcaps() {
    }

    /**
     * The shared data folder: system property tandem.data, else ../../../shared/data from the module folder, else
     * the nearest shared/data above the working folder (so the benchmark also finds it when run from the repo root).
     */
    public static Path dataRoot() {
        String prop = System.getProperty("tandem.data");
        if (prop != null && Files.isDirectory(Path.of(prop))) return Path.of(prop);
        Path fromModule = Path.of("../../../shared/data").toAbsolutePath().normalize();
        if (Files.isDirectory(fromModule)) return fromModule;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("shared/data"))) return dir.resolve("shared/data");
        }
        return fromModule;
    }

    /** Every frame of every pcaps/ordinary capture, files in name order. */
    public static synchronized List<Packet> ordinary() {
        if (ordinary == null) {
            Path dir = dataRoot().resolve("pcaps/ordinary");
            List<Packet> all = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(f -> f.getFileName().toString().matches(".*\\.p?cap")).sorted().toList()) {
                    all.addAll(read(f));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
            if (all.isEmpty()) throw new IllegalStateException("no packets under " + dir);
            ordinary = List.copyOf(all);
        }
        return ordinary;
    }

    /** The first n frames, cycling through the captures when n exceeds them (the same Packet objects again). */
    public static List<Packet> first(int n) {
        List<Packet> src = ordinary();
        List<Packet> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(src.get(i % src.size()));
        return out;
    }

    /** Reads a classic pcap (either byte order, microsecond or nanosecond timestamps). */
    public static List<Packet> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        boolean nanos;
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
            nanos = magic == 0xa1b23c4d;
        } else {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
            if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) throw new IllegalArgumentException(file + " is not a classic pcap");
            nanos = magic == 0xa1b23c4d;
        }
        List<Packet> packets = new ArrayList<>();
        int at = 24;
        while (at + 16 <= bytes.length) {
            long sec = b.getInt(at) & 0xffffffffL;
            long frac = b.getInt(at + 4) & 0xffffffffL;
            int incl = b.getInt(at + 8);
            int orig = b.getInt(at + 12);
            at += 16;
            if (incl < 0 || at + incl > bytes.length) break; // truncated last record
            byte[] data = Arrays.copyOfRange(bytes, at, at + incl);
            at += incl;
            packets.add(new Packet(sec * 1_000_000 + (nanos ? frac / 1000 : frac), Math.max(orig, incl), data));
        }
        return packets;
    }
}
