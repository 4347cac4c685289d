package io.tandem.itests;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code karaf-assembly/testbed/testbed.sh} driven from Java: namespaces {@code <prefix>hub}, {@code <prefix>src},
 * {@code <prefix>rI}, a hub that floods every frame to every replica's {@code cap0} with nft loss per replica, and
 * the control network {@code <net>.I/24} on {@code ctl0}. Needs root, iproute2, nftables and tcpreplay.
 */
final class TestBed {
    /** What the live tests need on the PATH besides a JDK. */
    static final List<String> TOOLS = List.of("ip", "nft", "tcpreplay", "tar", "ps", "bash");

    private final Path script;
    private final Map<String, String> env;

    TestBed(Path script, String prefix, String net) {
        this.script = script;
        // JAVA_HOME: Karaf's scripts (bin/karaf, bin/client) use this JVM's Java rather than guess one.
        this.env = Map.of("TB_PREFIX", prefix, "TB_NET", net, "JAVA_HOME", System.getProperty("java.home"));
    }

    /** Fails (never skips) unless this runs as root with every tool the test bed needs. */
    static void requireRootAndTools() throws IOException, InterruptedException {
        String uid = Proc.run(List.of("id", "-u"), Map.of(), null, Duration.ofSeconds(10)).check().strip();
        if (!uid.equals("0")) {
            throw new AssertionError("the live replica test needs root (network namespaces, nftables, live capture); running as uid " + uid);
        }
        List<String> missing = new ArrayList<>();
        for (String t : TOOLS) if (!Proc.onPath(t)) missing.add(t);
        if (!missing.isEmpty()) {
            throw new AssertionError("the live replica test needs " + missing + " on the PATH (apt-get install iproute2 nftables tcpreplay tar procps)");
        }
    }

    Path script() {
        return script;
    }

    Map<String, String> env() {
        return env;
    }

    Proc.Result run(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        return Proc.run(cmd, env, null, timeout);
    }

    String up(int replicas, int lossPermille) throws IOException, InterruptedException {
        return run(Duration.ofSeconds(60), "up", String.valueOf(replicas), "--loss", String.valueOf(lossPermille)).check();
    }

    /** Kills what runs in the namespaces, removes them; never fails. */
    String down() {
        try {
            return run(Duration.ofSeconds(60), "down").output();
        } catch (IOException | InterruptedException | AssertionError e) {
            return "testbed down failed: " + e;
        }
    }

    /** Runs a command inside replica I's namespace to its end, with {@code stdin} as its input. */
    Proc.Result exec(int replica, String stdin, Duration timeout, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), "exec", String.valueOf(replica)));
        cmd.addAll(List.of(command));
        return Proc.run(cmd, env, stdin, timeout);
    }

    /** Starts a long-running command inside replica I's namespace, its output going to {@code output}. */
    Process start(int replica, Path output, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), "exec", String.valueOf(replica)));
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(new File("/dev/null"));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** What one {@code testbed.sh replay} sent, as tcpreplay reported it. */
    record Replay(long sent, long failed, String rated, String output) {
    }

    Replay replay(List<Path> pcaps, int pps, int loop) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("replay"));
        for (Path p : pcaps) args.add(p.toString());
        args.addAll(List.of("--pps", String.valueOf(pps), "--loop", String.valueOf(loop)));
        String out = run(Duration.ofSeconds(150), args.toArray(new String[0])).check();
        Matcher rated = Pattern.compile("Rated: *(.*)").matcher(out);
        return new Replay(number(out, "Successful packets:"), number(out, "Failed packets:"), rated.find() ? rated.group(1).strip() : "?", out);
    }

    /** One replica's nft counters on the hub. */
    record Counters(int lossPermille, long dropped, long forwarded, long cap0Sent) {
    }

    /** Per replica (1..N): its loss and what nft dropped and forwarded towards it, and what left its cap0. */
    Map<Integer, Counters> counters() throws IOException, InterruptedException {
        String out = run(Duration.ofSeconds(30), "counters").check();
        Map<Integer, Counters> m = new LinkedHashMap<>();
        Matcher r = Pattern.compile("(?m)^r(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*$").matcher(out);
        while (r.find()) {
            m.put(Integer.parseInt(r.group(1)), new Counters(Integer.parseInt(r.group(2)), Long.parseLong(r.group(3)),
                    Long.parseLong(r.group(4)), Long.parseLong(r.group(5))));
        }
        if (m.isEmpty()) throw new AssertionError("no counters in:\n" + out);
        return m;
    }

    private static long number(String out, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + "\\s*(\\d+)").matcher(out);
        if (!m.find()) throw new AssertionError("no '" + label + "' in tcpreplay's output:\n" + out);
        return Long.parseLong(m.group(1));
    }
}
