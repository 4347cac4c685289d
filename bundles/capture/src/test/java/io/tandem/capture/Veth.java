package io.tandem.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A veth pair in the root namespace made for one test: unique names, no addresses, IPv6 disabled on both ends
 * before they come up, so the kernel sends nothing on them; whatever crosses it was sent by the test. Replayed
 * frames stay on the pair: IPv4 forwarding is off on both ends and ARP is never answered there. Deleted by
 * {@link #close()} (and by a shutdown hook, should the test JVM end first).
 */
final class Veth implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** The end the test sends on (tcpreplay). */
    final String send;
    /** The end the test captures on. */
    final String capture;
    private final Thread hook;
    private boolean closed;

    private Veth(String send, String capture) {
        this.send = send;
        this.capture = capture;
        this.hook = new Thread(() -> quietDelete(send), "veth-cleanup-" + send);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Fails the test, with what to install, unless this is root with ip, sysctl, tcpreplay and tcpdump. */
    static void requireTestBed() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("ip", "sysctl", "tcpreplay", "tcpdump", "setpriv")) {
            if (!onPath(tool)) missing.add(tool);
        }
        String uid = "?";
        try {
            uid = run(List.of("id", "-u")).trim();
        } catch (IOException e) {
            // reported below
        }
        if (!missing.isEmpty() || !uid.equals("0")) {
            fail("live capture tests need root (uid is " + uid + ") and " + missing
                    + " on the PATH: as root, apt-get install iproute2 procps tcpreplay tcpdump util-linux");
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Path.of(dir, tool).toFile().canExecute()) return true;
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            if (Path.of(dir, tool).toFile().canExecute()) return true;
        }
        return false;
    }

    static Veth create() throws IOException {
        // IFNAMSIZ: at most 15 characters; pid and a counter keep concurrent runs apart
        String base = "tdc" + Long.toString(ProcessHandle.current().pid() % 1_000_000, 36) + "x" + COUNTER.incrementAndGet();
        Veth v = new Veth(base + "s", base + "c");
        boolean ok = false;
        try {
            run(List.of("ip", "link", "add", v.send, "type", "veth", "peer", "name", v.capture));
            for (String end : List.of(v.send, v.capture)) {
                run(List.of("sysctl", "-q", "-w", "net.ipv6.conf." + end + ".disable_ipv6=1"));
                // replayed frames must stay on the pair: never forwarded, never answered (ARP for a host address)
                run(List.of("sysctl", "-q", "-w", "net.ipv4.conf." + end + ".forwarding=0"));
                run(List.of("sysctl", "-q", "-w", "net.ipv4.conf." + end + ".arp_ignore=8"));
                run(List.of("ip", "link", "set", end, "mtu", "9000"));
            }
            for (String end : List.of(v.send, v.capture)) run(List.of("ip", "link", "set", end, "up"));
            ok = true;
            return v;
        } finally {
            if (!ok) v.close();
        }
    }

    /** tcpreplay's report; fails unless every packet of the file was sent. */
    String replay(Path pcap, String... speed) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("tcpreplay", "-i", send));
        cmd.addAll(List.of(speed));
        cmd.add(pcap.toString());
        String out = run(cmd);
        if (!out.contains("Failed packets:            0") && !out.matches("(?s).*Failed packets:\\s+0\\b.*")) {
            fail("tcpreplay failed to send some packets of " + pcap + ":\n" + out);
        }
        return out;
    }

    /** "Successful packets: N" of a tcpreplay report. */
    static long sent(String tcpreplayReport) {
        for (String line : tcpreplayReport.split("\n")) {
            String l = line.trim();
            if (l.startsWith("Successful packets:")) return Long.parseLong(l.substring("Successful packets:".length()).trim());
        }
        throw new AssertionError("no 'Successful packets' in tcpreplay's report:\n" + tcpreplayReport);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        quietDelete(send);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down
        }
    }

    private static void quietDelete(String link) {
        try {
            Process p = new ProcessBuilder("ip", "link", "del", link).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(20, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing to delete
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a command, returns stdout and stderr together; throws with both if it fails. */
    static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": did not finish in 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": interrupted");
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out.trim());
        return out;
    }
}
