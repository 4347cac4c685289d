package io.tandem.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 4 item 7 with both analyzers: two IDSs alone miss the split attack; through Tandem both see it, the operator once. */
class SplitAttackTest {

    @ParameterizedTest
    @ValueSource(strings = {"rules", "suricata"})
    void eachReplicaAloneMissesItAndTheClusterReportsItOnce(String analyzer) throws Exception {
        SplitAttack.Outcome o = SplitAttack.run(Path.of(System.getProperty("tandem.data")), analyzer);
        assertArrayEquals(new long[] {0, 0}, o.rawAlerts(), "each replica's own capture misses the attack");
        assertTrue(o.tandem().failures().isEmpty(), o.tandem().failures().toString());
        assertEquals(0, o.tandem().stream().setLost(), "no packet was lost by both");
        assertTrue(o.tandem().stream().identical());
        for (long raised : o.raisedBy()) assertTrue(raised >= 1, "every replica's analyzer detected it: " + java.util.Arrays.toString(o.raisedBy()));
        assertEquals(1, o.tandem().count(SplitAttack.SID), "the operator saw it once");
        assertEquals(0, o.tandem().reportedTwice());
        assertTrue(o.shown());
    }
}
