package io.tandem.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** Bad command lines get one line naming what was wrong, and exit status 2. */
class MainTest {

    static String[] run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[]{Integer.toString(status), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void unknownOptionIsOneLine() {
        String[] r = run("sim", "--replicaz", "3");
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("tandem: unknown option --replicaz"), r[2]);
        assertEquals(1, r[2].strip().lines().count());
    }

    @Test
    void badValuesAreNamed() {
        assertTrue(run("sim", "--replicas", "x")[2].contains("--replicas must be a whole number, not 'x'"));
        assertTrue(run("sim", "--cluster", "1")[2].contains("--cluster must be 2..65536"));
        assertTrue(run("sim", "--drop", "r9=5", "--replicas", "2")[2].contains("there is no replica r9"));
        assertTrue(run("sim", "--drop", "r1=p5,x3,f1")[2].startsWith("tandem: "));
        assertTrue(run("sim", "--hash", "sha0", "--packets", "1000")[2].contains("unknown hash function 'sha0'"));
        assertTrue(run("frobnicate")[2].contains("unknown command 'frobnicate'"));
        assertEquals("2", run("bench", "nothing")[0]);
    }

    @Test
    void helpListsTheCommands() {
        String[] r = run("help");
        assertEquals("0", r[0]);
        assertTrue(r[1].contains("sim") && r[1].contains("bench sync"));
    }
}
