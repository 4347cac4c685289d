package io.tandem.capture;

import io.tandem.api.Packet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomDropTest {
    static final int N = 200_000;
    static LoopedCapture capture;

    static synchronized LoopedCapture capture() throws Exception {
        if (capture == null) capture = LoopedCapture.load(TestData.pcap("ordinary/ndpi_reddit.pcap"));
        return capture;
    }

    static boolean[] run(RandomDrop d, int n) throws Exception {
        LoopedCapture lc = capture();
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) out[i] = d.drop(lc.get(i));
        return out;
    }

    static int count(boolean[] b) {
        int c = 0;
        for (boolean x : b) if (x) c++;
        return c;
    }

    /** A packet of a real capture re-stamped at {@code micros}. */
    static Packet at(long micros) throws Exception {
        Packet p = capture().get(0);
        return new Packet(micros, p.wireLength(), p.data());
    }

    @Test
    void badSpecsAreRefusedNamingTheBadPart() {
        String[][] cases = {
                {"p50,x3,f10", "random drop 'p50,x3,f10': duration must be d<seconds> or D<packets>"},
                {"100001", "random drop '100001': probability: must be 0..100000 (out of 100000), not 100001"},
                {"abc", "random drop 'abc': probability: must be an integer 0..100000"},
                {"-5", "random drop '-5': probability: must be an integer"},
                {"101%", "random drop '101%': probability: percentage must be 0..100%"},
                {"p50,D10", "random drop 'p50,D10': expected <probability> or p<probability>,(d|D)<duration>"},
                {"p50,D10,I100,f3", "random drop 'p50,D10,I100,f3': expected"},
                {"q50,D10,I100", "random drop 'q50,D10,I100': drop probability must be p<probability>, not 'q50'"},
                {"p,D10,I100", "random drop 'p,D10,I100': drop probability 'p': must be an integer"},
                {"p200000,D10,I100", "random drop 'p200000,D10,I100': drop probability 'p200000': must be 0..100000"},
                {"p50,D0,I100", "random drop 'p50,D0,I100': duration 'D0': must be at least 1 packet"},
                {"p50,D1.5,I100", "random drop 'p50,D1.5,I100': duration 'D1.5': must be a whole number of packets"},
                {"p50,d-1,I100", "random drop 'p50,d-1,I100': duration 'd-1': must be seconds"},
                {"p50,d0,I100", "random drop 'p50,d0,I100': duration 'd0': must be at least 1 microsecond"},
                {"p50,D10,I0", "random drop 'p50,D10,I0': interval 'I0': must be at least 1 packet"},
                {"p50,D10,ix", "random drop 'p50,D10,ix': interval 'ix': must be seconds"},
                {"p50,D10,x5", "random drop 'p50,D10,x5': period start must be f<frequency>, i<seconds> or I<packets>"},
                {"p50,D10,f100001", "random drop 'p50,D10,f100001': frequency 'f100001': must be 0..100000"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RandomDrop.parse(c[0], 1), c[0]);
            assertTrue(e.getMessage().startsWith(c[1]), "for '" + c[0] + "': " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void exactPacketNumbersDropExactlyThose() throws Exception {
        RandomDrop d = RandomDrop.parse("#3, 7,10-12", 1);
        boolean[] dropped = run(d, 20);
        for (int i = 0; i < 20; i++) assertEquals(i == 3 || i == 7 || (i >= 10 && i <= 12), dropped[i], "packet " + i);
        assertEquals(5, d.dropped());
        assertFalse(d.never());
        for (String[] c : new String[][] {{"#3,x", "random drop '#3,x': packet numbers must be like #3,7,10-12, not 'x'"},
                {"#5-2", "random drop '#5-2': range '5-2' ends before it starts"},
                {"#1-5,4", "random drop '#1-5,4': ranges overlap at packet 4"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RandomDrop.parse(c[0], 1));
            assertEquals(c[1], e.getMessage());
        }
    }

    @Test
    void zeroOrEmptyNeverDrops() throws Exception {
        for (String spec : new String[] {"0", "", "  ", null, "0%", "p0,D10,I20", "p100000,D10,f0"}) {
            RandomDrop d = RandomDrop.parse(spec, 7);
            assertTrue(d.never(), String.valueOf(spec));
            assertEquals(0, count(run(d, 10_000)), String.valueOf(spec));
            assertEquals(10_000, d.seen());
            assertEquals(0, d.dropped());
        }
        assertEquals("0", RandomDrop.parse("", 1).spec());
        RandomDrop none = RandomDrop.none();
        assertEquals(0, count(run(none, 1000)));
        assertEquals(1000, none.seen());
    }

    @Test
    void fivePercentIsFivePercentWithinStatisticalBounds() throws Exception {
        for (String spec : new String[] {"5000", "5%", " 5 % "}) {
            RandomDrop d = RandomDrop.parse(spec, 42);
            int dropped = count(run(d, N));
            // mean 10000, standard deviation sqrt(N p (1-p)) = 97.5: allow 5 of them
            assertTrue(Math.abs(dropped - 10_000) < 490, spec + ": dropped " + dropped);
            assertEquals(dropped, d.dropped());
            assertEquals(N, d.seen());
            assertTrue(d.toString().contains("5% of packets"), d.toString());
            assertTrue(d.toString().contains("dropped " + dropped + " of " + N), d.toString());
        }
        RandomDrop small = RandomDrop.parse("0.05%", 3);
        int dropped = count(run(small, N));
        assertTrue(dropped > 100 - 50 && dropped < 100 + 50, "0.05% of 200000: " + dropped);
        assertEquals(count(run(RandomDrop.parse("50", 3), N)), dropped, "0.05% is 50 out of 100000");
    }

    @Test
    void sameSeedSameDropsOtherSeedOtherDrops() throws Exception {
        boolean[] a = run(RandomDrop.parse("2500", 11), N);
        boolean[] b = run(RandomDrop.parse("2500", 11), N);
        boolean[] c = run(RandomDrop.parse("2500", 12), N);
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
        int both = 0;
        for (int i = 0; i < N; i++) if (a[i] && c[i]) both++;
        // independent seeds: about 2.5% of 2.5% of the packets are dropped by both
        assertTrue(both < 400, "overlap " + both);

        assertArrayEquals(run(RandomDrop.parse("p50000,d0.5,f300", 5), N), run(RandomDrop.parse("p50000,d0.5,f300", 5), N));
        assertNotEquals(count(run(RandomDrop.parse("p50000,d0.5,f300", 5), N)), count(run(RandomDrop.parse("p50000,d0.5,f300", 6), N)));
    }

    @Test
    void packetPeriodsArePlacedExactly() throws Exception {
        // p100000,D10,I100: the first packet starts a drop period of 10 packets, and every 100th packet another
        RandomDrop d = RandomDrop.parse("p100000,D10,I100", 1);
        boolean[] got = run(d, 10_000);
        for (int i = 0; i < got.length; i++) assertEquals(i % 100 < 10, got[i], "packet " + i);
        assertEquals(1000, d.dropped());
        assertTrue(d.toString().contains("100% in drop periods of 10 packets every 100 packets"), d.toString());

        // an interval shorter than the duration restarts the period: everything is dropped
        assertEquals(5000, count(run(RandomDrop.parse("p100000,D20,I10", 1), 5000)));
        assertEquals(5000, count(run(RandomDrop.parse("p100000,D1,I1", 1), 5000)));

        // half of the packets inside the periods, none outside
        boolean[] half = run(RandomDrop.parse("p50000,D100,I400", 9), N);
        int inside = 0;
        for (int i = 0; i < N; i++) {
            if (i % 400 < 100) {
                if (half[i]) inside++;
            } else {
                assertFalse(half[i], "packet " + i + " is outside every drop period");
            }
        }
        assertTrue(Math.abs(inside - N / 8) < 5 * Math.sqrt(N / 4.0 * 0.25), "dropped inside: " + inside);
    }

    @Test
    void secondPeriodsFollowThePacketsTimestamps() throws Exception {
        // a packet every millisecond; 10 ms drop periods every 100 ms
        RandomDrop d = RandomDrop.parse("p100000,d0.01,i0.1", 1);
        long t0 = 1_600_000_000_000_000L;
        for (int k = 0; k < 1000; k++) assertEquals(k % 100 < 10, d.drop(at(t0 + k * 1000L)), "packet at " + k + " ms");
        assertEquals(100, d.dropped());

        // traffic pauses: the next period starts with the first packet at least an interval after the last start,
        // and lasts its duration from that packet's time
        RandomDrop g = RandomDrop.parse("p100000,d0.01,i0.1", 1);
        assertTrue(g.drop(at(t0)));
        assertTrue(g.drop(at(t0 + 9_999)));
        assertFalse(g.drop(at(t0 + 10_000)));
        assertFalse(g.drop(at(t0 + 99_999)));
        assertTrue(g.drop(at(t0 + 250_000)), "new period at 250 ms");
        assertTrue(g.drop(at(t0 + 259_000)));
        assertFalse(g.drop(at(t0 + 260_000)));
        assertFalse(g.drop(at(t0 + 349_999)), "next period is due at 350 ms, not 300 ms");
        assertTrue(g.drop(at(t0 + 350_000)));

        // seconds-long duration, packet-counted interval, on the real capture's own timestamps
        RandomDrop mixed = RandomDrop.parse("p100000,d0.001,I1000", 1);
        LoopedCapture lc = capture();
        long start = 0;
        for (int i = 0; i < 20_000; i++) {
            Packet p = lc.get(i);
            if (i % 1000 == 0) start = p.timestampMicros();
            assertEquals(p.timestampMicros() - start < 1000, mixed.drop(p), "packet " + i);
        }
    }

    @Test
    void frequencyStartsPeriodsAtRandom() throws Exception {
        // outside a period each packet starts one with probability 1%; periods last exactly 10 packets
        RandomDrop d = RandomDrop.parse("p100000,D10,f1000", 4);
        boolean[] got = run(d, N);
        List<Integer> runs = new ArrayList<>();
        int len = 0;
        for (boolean x : got) {
            if (x) {
                len++;
            } else if (len > 0) {
                runs.add(len);
                len = 0;
            }
        }
        for (int r : runs) assertEquals(0, r % 10, "drop runs are whole periods: " + r);
        // a cycle is 10 packets in the period plus on average 99 outside: about N / 109 periods
        int periods = count(got) / 10;
        assertTrue(Math.abs(periods - N / 109) < N / 109 / 7, "periods: " + periods);
        assertTrue(d.toString().contains("starting with probability 1% per packet"), d.toString());
    }
}
