package io.tandem.sync;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a boot can start, from the positions a replica holds the boot packets at (-1: not held). */
class BootstrapTest {
    private static final long[] HELD = {-1, 10, 11, 14, 15, -1, 20, 19, 21, 22, 23, 24};

    @Test
    void aRunIsHeldAtIncreasingNotNecessarilyConsecutivePositions() {
        assertTrue(Bootstrap.runHeldAt(HELD, 1, 4), "10, 11, 14, 15: the replica holds packets between them");
        assertFalse(Bootstrap.runHeldAt(HELD, 0, 2), "boot packet 0 is not held");
        assertFalse(Bootstrap.runHeldAt(HELD, 6, 2), "20 then 19: out of order");
        assertFalse(Bootstrap.runHeldAt(HELD, 1, 0), "an empty run is no run");
    }

    @Test
    void theFirstAndTheLastRun() {
        assertEquals(1, Bootstrap.firstRunHeld(HELD, 4));
        assertEquals(8, Bootstrap.lastRunHeld(HELD, 4), "21, 22, 23, 24");
        assertEquals(7, Bootstrap.firstRunHeld(HELD, 5), "19, 21, 22, 23, 24");
        assertEquals(-1, Bootstrap.firstRunHeld(HELD, 6));
        assertEquals(-1, Bootstrap.lastRunHeld(new long[]{-1, -1, -1}, 1));
    }
}
