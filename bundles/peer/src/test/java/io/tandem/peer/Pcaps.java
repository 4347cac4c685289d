package io.tandem.peer;

import io.tandem.api.Packet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Real packets for the tests: records of a classic pcap file from the shared test data. */
final class Pcaps {
    private Pcaps() {
    }

    /** The first {@code max} records of a classic (microsecond or nanosecond, either byte order) pcap file. */
    static List<Packet> read(Path file, int max) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        boolean nanos;
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
            b.order(ByteOrder.LITTLE_ENDIAN);
            nanos = magic == 0xa1b23c4d;
        } else {
            b.order(ByteOrder.BIG_ENDIAN);
            int m = b.getInt(0);
            if (m != 0xa1b2c3d4 && m != 0xa1b23c4d) throw new IOException(file + " is not a classic pcap file");
            nanos = m == 0xa1b23c4d;
        }
        b.position(24);
        List<Packet> packets = new ArrayList<>();
        while (packets.size() < max && b.remaining() >= 16) {
            long sec = b.getInt() & 0xFFFFFFFFL;
            long frac = b.getInt() & 0xFFFFFFFFL;
            int captured = b.getInt();
            int wire = b.getInt();
            if (captured > b.remaining()) break;
            byte[] data = new byte[captured];
            b.get(data);
            packets.add(new Packet(sec * 1_000_000 + (nanos ? frac / 1000 : frac), Math.max(wire, captured), data));
        }
        return packets;
    }

    /**
     * {@code n} packets from a real capture (system property tandem.data), or, where the data is missing,
     * packets of varied lengths and random bytes so the test still runs.
     */
    static List<Packet> sample(int n) throws IOException {
        String data = System.getProperty("tandem.data");
        if (data != null) {
            for (String name : new String[] {"ndpi_1kxun.pcap", "ftp_cwd-navigation.pcap", "ndpi_netflix.pcap"}) {
                Path file = Path.of(data, "pcaps", "ordinary", name);
                if (Files.isReadable(file)) {
                    List<Packet> packets = read(file, n);
                    if (packets.size() == n) return packets;
                }
            }
        }
        Random random = new Random(42);
        List<Packet> packets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] bytes = new byte[60 + random.nextInt(1455)];
            random.nextBytes(bytes);
            packets.add(new Packet(1_700_000_000_000_000L + i * 137L, bytes.length + (i % 7 == 0 ? 100 : 0), bytes));
        }
        return packets;
    }

    static boolean same(Packet a, Packet b) {
        return a.timestampMicros() == b.timestampMicros() && a.wireLength() == b.wireLength() && Arrays.equals(a.data(), b.data());
    }
}
