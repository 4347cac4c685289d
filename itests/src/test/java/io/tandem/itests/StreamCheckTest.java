package io.tandem.itests;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The live test's stream comparison, on small made-up streams (runs without root). */
class StreamCheckTest {
    private static List<String> looped(int loops, String... once) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < loops; i++) out.addAll(List.of(once));
        return out;
    }

    @Test
    void identicalStreamsHaveNothingMissingExtraOrDisplaced() {
        StreamCheck.Result r = StreamCheck.compare(looped(3, "a", "b", "c"), looped(3, "a", "b", "c"));
        assertEquals(List.of(), r.missing());
        assertEquals(List.of(), r.extra());
        assertEquals(0, r.displaced().size());
    }

    @Test
    void aLostPacketOfALoopIsMissingThereAndDisplacesNothing() {
        List<String> delivered = looped(3, "a", "b", "c");
        delivered.remove(4); // loop 1's b
        StreamCheck.Result r = StreamCheck.compare(looped(3, "a", "b", "c"), delivered);
        assertEquals(List.of(4), r.missing());
        assertEquals(0, r.displaced().size());
    }

    @Test
    void swappedNeighboursDisplaceOneAndDuplicatesAreExtra() {
        StreamCheck.Result swapped = StreamCheck.compare(looped(2, "a", "b", "c", "d"), List.of("a", "b", "c", "d", "a", "c", "b", "d"));
        assertEquals(List.of(), swapped.missing());
        assertEquals(1, swapped.displaced().size());
        StreamCheck.Result twice = StreamCheck.compare(looped(2, "a", "b"), List.of("a", "b", "b", "a", "b", "x"));
        assertEquals(List.of("b", "x"), twice.extra());
    }
}
