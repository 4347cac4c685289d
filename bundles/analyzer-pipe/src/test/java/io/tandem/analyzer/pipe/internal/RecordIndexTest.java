package io.tandem.analyzer.pipe.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecordIndexTest {
    @Test
    void runsAndGaps() {
        RecordIndex x = new RecordIndex();
        assertEquals(-1, x.position(0));
        assertEquals(-1, x.lastPosition());
        for (long p : new long[]{5, 6, 7, 100, 101, 200}) x.add(p);
        assertEquals(6, x.records());
        long[] want = {5, 6, 7, 100, 101, 200};
        for (int r = 0; r < want.length; r++) assertEquals(want[r], x.position(r), "record " + r);
        assertEquals(-1, x.position(6));
        assertEquals(-1, x.position(-1));
        assertEquals(200, x.lastPosition());
    }

    @Test
    void agreesWithAPlainListOnRandomGaps() {
        Random rnd = new Random(7);
        RecordIndex x = new RecordIndex();
        List<Long> plain = new ArrayList<>();
        long p = 0;
        for (int i = 0; i < 200_000; i++) {
            p += rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(50) : 1;
            x.add(p);
            plain.add(p);
        }
        for (int r = 0; r < plain.size(); r++) assertEquals(plain.get(r), x.position(r));
    }
}
