package io.tandem.itests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Runs a {@link PlainReplica} from inside the container under test and reads what it writes; and the checks of
 * a delivered stream against it. Only JDK and JUnit classes: the probe must not wire itself to a Tandem bundle.
 */
final class PlainProcess {
    private PlainProcess() {
    }

    /**
     * Starts replica {@code id} in {@code dir} (emptied first), listening on {@code port}, a follower of
     * 127.0.0.1:{@code leaderPort} (0: a leader waiting for one peer), replaying the everyday captures at {@code pps}.
     * Its class path is the test's (system property {@code tandem.it.classpath}), copied under {@code dir}.
     */
    static Process start(Path dir, String id, int port, String secret, int leaderPort, int pps) throws Exception {
        if (Files.isDirectory(dir)) {
            try (var tree = Files.walk(dir)) {
                for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        Files.createDirectories(dir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", privateCopy(System.getProperty("tandem.it.classpath"), dir.resolve("cp")),
                "-Djna.tmpdir=" + dir.resolve("jna"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "io.tandem.itests.PlainReplica", id, String.valueOf(port), secret, dir.toString(),
                System.getProperty("tandem.data") + File.separator + "pcaps" + File.separator + "ordinary", String.valueOf(pps), "262144", "240"));
        if (leaderPort > 0) command.add(String.valueOf(leaderPort));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(id + ".out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(dir.resolve("status")) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(id + " runs: " + TandemTestSupport.read(dir.resolve(id + ".out")), p.isAlive() && Files.exists(dir.resolve("status")));
        return p;
    }

    /** Asks the replica to stop and waits for it; its files are complete then. */
    static void stop(Process p, Path dir) throws Exception {
        Files.writeString(dir.resolve("stop"), "");
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the plain replica did not stop within 20 s");
        }
    }

    /**
     * Copies the class path's jars and directories under {@code to}: a build running meanwhile (the local Maven
     * repository is shared) must not replace the replica's classes under it. The container's and Pax Exam's jars
     * are left out (pax-logging would swallow its log). Returns the copied class path.
     */
    private static String privateCopy(String classPath, Path to) throws IOException {
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String entry : classPath.split(File.pathSeparator)) {
            Path from = Path.of(entry);
            String name = from.getFileName().toString();
            if (!Files.exists(from) || name.startsWith("pax-") || name.startsWith("logback-") || name.startsWith("org.apache.karaf")) continue;
            Path copy = to.resolve((i++) + "-" + name);
            if (Files.isDirectory(from)) {
                try (var tree = Files.walk(from)) {
                    for (Path p : tree.toList()) {
                        Path target = copy.resolve(from.relativize(p).toString());
                        if (Files.isDirectory(p)) Files.createDirectories(target);
                        else Files.copy(p, target);
                    }
                }
            } else {
                Files.createDirectories(to);
                Files.copy(from, copy);
            }
            out.add(copy.toString());
        }
        return String.join(File.pathSeparator, out);
    }

    /** Its status file as key=value (state, view, members, delivered, captured, round, failure). */
    static Map<String, String> status(Path dir) {
        Map<String, String> out = new HashMap<>();
        for (String line : TandemTestSupport.read(dir.resolve("status")).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) out.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return out;
    }

    static long number(Path dir, String key) {
        return Long.parseLong(status(dir).getOrDefault(key, "-1"));
    }

    /** Its log lines saying that, as coordinator, it gave up admitting a joiner. */
    static List<String> notAdmitted(Path dir, String id) {
        List<String> out = new ArrayList<>();
        for (String line : TandemTestSupport.read(dir.resolve(id + ".out")).split("\n")) if (line.contains("not admitted")) out.add(line.trim());
        return out;
    }

    /**
     * Checks that {@code log} is the looped source ({@code source.hashes}) exactly, from some packet on: nothing lost,
     * nothing added, nothing reordered. Returns that packet's index in the loop.
     */
    static int assertIsTheSource(Path dir, List<String> log, String who) throws IOException {
        List<String> source = Files.readAllLines(dir.resolve("source.hashes"));
        int boot = -1;
        for (int b = 0; b < source.size() && boot < 0; b++) if (cyclicMatch(source, b, log, Math.min(2000, log.size())) == Math.min(2000, log.size())) boot = b;
        assertTrue(who + "'s first 2000 packets are consecutive source packets", boot >= 0 && log.size() > 2000);
        int same = cyclicMatch(source, boot, log, log.size());
        assertEquals(who + " delivered the source exactly (first difference at its packet " + same + " of " + log.size() + ")", log.size(), same);
        return boot;
    }

    private static int cyclicMatch(List<String> source, int start, List<String> log, int n) {
        int i = 0;
        while (i < n && i < log.size() && log.get(i).equals(source.get((start + i) % source.size()))) i++;
        return i;
    }

    /**
     * Checks that {@code log}, the hash log of a replica that was rebuilt (or left and joined) several times, is
     * made of one run per incarnation, each equal to {@code stream} (line = position) from that incarnation's start
     * position on, and nothing else. Returns the runs as [start, end) positions.
     */
    static List<String> assertIncarnationsDeliverTheStream(List<String> stream, List<String> log, List<Long> starts, String who) {
        int at = 0;
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            int from = at;
            long pos = starts.get(i);
            int end = at;
            while (end < log.size() && pos + end - at < stream.size() && log.get(end).equals(stream.get((int) (pos + end - at)))) end++;
            if (i + 1 < starts.size()) {
                // the next incarnation's first lines are the stream from its join position: the split is where they begin
                long next = starts.get(i + 1);
                int split = -1;
                for (int x = end; x > at && split < 0; x--) if (matches(log, x, stream, next, 32)) split = x;
                assertTrue("incarnation " + (i + 1) + " of " + who + " (lines from " + at + ", position " + pos + ") is followed by the stream from position "
                        + next + " (matched up to line " + end + ")", split > at);
                end = split;
            } else {
                assertEquals("the last incarnation of " + who + " delivers the stream from position " + pos + " (lines " + at + ".." + log.size() + ")",
                        log.size(), end);
            }
            assertTrue("incarnation " + (i + 1) + " of " + who + " delivered", end > from);
            runs.add("[" + pos + ", " + (pos + end - from) + ")");
            at = end;
        }
        return runs;
    }

    private static boolean matches(List<String> a, int from, List<String> b, long bFrom, int n) {
        int count = (int) Math.min(n, Math.min(a.size() - from, b.size() - bFrom));
        if (count <= 0) return false;
        for (int i = 0; i < count; i++) if (!a.get(from + i).equals(b.get((int) (bFrom + i)))) return false;
        return true;
    }

    /** The file's complete lines (a line still being written is left out). */
    static List<String> completeLines(Path p) throws IOException {
        String s = Files.readString(p, StandardCharsets.US_ASCII);
        int end = s.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(s.substring(0, end).split("\n"));
    }
}
