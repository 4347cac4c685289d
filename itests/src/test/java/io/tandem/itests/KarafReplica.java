package io.tandem.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One replica: the distribution unpacked into a directory of its own, configured through its etc/*.cfg files,
 * started with {@code bin/karaf server} inside its test-bed namespace, queried with {@code bin/client} there (SSH
 * stays on the namespace's own 127.0.0.1).
 */
final class KarafReplica {
    final int index;
    final String id;
    final Path home;
    private final TestBed bed;
    private final String user;
    private final String password;
    private Process process;

    KarafReplica(int index, Path home, TestBed bed, String user, String password) {
        this.index = index;
        this.id = "r" + index;
        this.home = home;
        this.bed = bed;
        this.user = user;
        this.password = password;
    }

    /** Unpacks the distribution's tar.gz into {@link #home} (its top directory stripped). */
    void unpack(Path distribution) throws IOException, InterruptedException {
        Files.createDirectories(home);
        Proc.run(List.of("tar", "xzf", distribution.toString(), "-C", home.toString(), "--strip-components=1"), Map.of(), null,
                Duration.ofSeconds(120)).check();
        if (!Files.isExecutable(home.resolve("bin/karaf"))) throw new AssertionError("no bin/karaf after unpacking " + distribution + " into " + home);
    }

    /**
     * Sets {@code key = value} in {@code etc/<file>}: replaces the active line of that key, else the shipped
     * commented default ({@code #key = ...}), else appends; comments stay.
     */
    void set(String file, String key, String value) throws IOException {
        Path cfg = home.resolve("etc").resolve(file);
        List<String> lines = new ArrayList<>(Files.exists(cfg) ? Files.readAllLines(cfg, StandardCharsets.ISO_8859_1) : List.of());
        Pattern active = Pattern.compile("^\\s*" + Pattern.quote(key) + "\\s*[=:].*");
        Pattern commented = Pattern.compile("^#" + Pattern.quote(key) + "\\s*=.*");
        String line = key + " = " + value;
        int at = -1;
        for (int i = 0; i < lines.size(); i++) if (active.matcher(lines.get(i)).matches()) at = at < 0 ? i : at;
        if (at >= 0) {
            lines.set(at, line);
            // a key set twice: the last would win; keep only ours
            for (int i = lines.size() - 1; i > at; i--) if (active.matcher(lines.get(i)).matches()) lines.remove(i);
        } else {
            for (int i = 0; i < lines.size() && at < 0; i++) if (commented.matcher(lines.get(i)).matches()) at = i;
            if (at >= 0) lines.set(at, line);
            else lines.add(line);
        }
        Files.write(cfg, lines, StandardCharsets.ISO_8859_1);
    }

    /** Adds the SSH user (admin group) this test logs in with; Karaf stores its password hashed on first use. */
    void addUser() throws IOException {
        Files.writeString(home.resolve("etc/users.properties"), "\n" + user + " = " + password + ",_g_:admingroup\n", StandardCharsets.ISO_8859_1,
                java.nio.file.StandardOpenOption.APPEND);
    }

    void start() throws IOException {
        process = bed.start(index, home.resolve("console.out"), home.resolve("bin/karaf").toString(), "server");
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Ends the Karaf started here (its whole process tree); the test bed's down kills whatever is left. */
    void kill() {
        Process p = process;
        if (p == null) return;
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Path log() {
        return home.resolve("data/log/karaf.log");
    }

    String logText() {
        try {
            return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    Path hashLog() {
        return home.resolve("hashes.log");
    }

    /** Hash log lines written so far (each line: 32 hex digits of MD5 and a newline). */
    long hashLogLines() {
        try {
            return Files.exists(hashLog()) ? Files.size(hashLog()) / 33 : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The JVM's pid, from the pid file Karaf writes ({@code karaf.pid.file}), or -1. */
    long javaPid() {
        try {
            Path f = home.resolve("karaf.pid");
            return Files.exists(f) ? Long.parseLong(Files.readString(f).strip()) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Resident set size of the Karaf JVM in KiB (ps -o rss), or -1. */
    long rssKiB() throws IOException, InterruptedException {
        long pid = javaPid();
        if (pid < 0) return -1;
        Proc.Result r = Proc.run(List.of("ps", "-o", "rss=", "-p", String.valueOf(pid)), Map.of(), null, Duration.ofSeconds(10));
        String s = r.output().strip();
        return r.ok() && s.matches("\\d+") ? Long.parseLong(s) : -1;
    }

    /** Runs shell commands through {@code bin/client} inside the replica's namespace (versions.md trap 7). */
    String shell(String... commands) throws IOException, InterruptedException {
        String in = String.join("\n", commands) + "\n";
        return bed.exec(index, in, Duration.ofSeconds(90), home.resolve("bin/client").toString(), "-u", user, "-p", password,
                "-r", "30", "-d", "1", "-b").check();
    }

    /** The counters of {@code tandem:stats --json} in its output. */
    static Map<String, Long> counters(String statsJson) {
        int at = statsJson.indexOf("\"counters\":{");
        if (at < 0) throw new AssertionError("no tandem:stats --json counters in:\n" + statsJson);
        Map<String, Long> m = new LinkedHashMap<>();
        Matcher c = Pattern.compile("\"([a-z.]+)\":(-?\\d+)").matcher(statsJson.substring(at));
        while (c.find()) m.put(c.group(1), Long.parseLong(c.group(2)));
        return m;
    }
}
