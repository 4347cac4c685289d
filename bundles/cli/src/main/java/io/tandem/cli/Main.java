package io.tandem.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/** The plain-Java entry point behind {@code ./tandem}. */
public final class Main {

    private Main() {
    }

    static final String USAGE = String.join("\n",
            "usage: ./tandem <command> [options]",
            "  demo         3 replicas on 127.0.0.1 fed the everyday and attack captures at a fixed rate, each randomly",
            "               dropping 2 %, each analyzing its aligned stream with the embedded engine and ET Open; progress every",
            "               2 s, then per replica captured/dropped/recovered/delivered/analyzed/alerts, set loss vs theory,",
            "               identical streams yes/no, the alerts the operator saw (each once), then the split attack (about 30 s)",
            "               --pps N (10000) --seconds S (20) | --packets N --replicas N (3) --drop rI=FORMAT (repeatable)",
            "               --source PATH[,PATH...] --seed S --timeout SECONDS",
            "  sim          N replicas in one JVM over real sockets, fed one capture with per-replica random drop",
            "               --source PATH --packets N --replicas N --drop rI=FORMAT (repeatable) --cluster k --anchor l",
            "               --hash md5|murmur3|one-at-a-time|crc32 --snippet B --hashlog DIR --mode 0|1 --rounds R",
            "               --capacity C --leader-late P --seed S --timeout SECONDS",
            "  replay DIR   a suricata-verify style folder (pcap + test.rules [+ test.yaml args]) through an in-process cluster;",
            "               prints each alert the operator sees once as an EVE JSON line, then a summary line",
            "               --analyzer rules|suricata (rules) --replicas N (2) --drop rI=FORMAT (repeatable) | --loss PERCENT",
            "               (independent loss, no packet lost by all) --seed S --timeout SECONDS",
            "  bench sync   throughput of the sync machinery from packets preloaded in memory",
            "               --replicas 2,3 --loss 0,0.05,0.5,5,50 --cluster 8,56,1024 --packets N --source PATH --snippet B",
            "  bench capture  cost of reading and hashing a capture (pcap4j/libpcap) --hash H --snippet B,B.. --packets N",
            "  bench hashes  thesis Table 7 on the shared captures: packets hashing like one of the window before them,",
            "               by hash and snippet, IPv4/IPv6 --pcaps PATH[,PATH...] --hash H,.. --snippet B,.. --window W",
            "  bench rules  the embedded rules engine's packets/s: [--loops N] [--classification FILE] [--var NAME=VALUE]...",
            "               --rules FILE|DIR... --pcaps FILE|DIR...",
            "random drop FORMAT (thesis): <probability out of 100000> | p<prob>,(d|D)<duration>,(f<freq>|(i|I)<interval>)",
            "                  or exactly these packets (numbered from 0 as the replica sees them): #3,7,10-12");

    public static void main(String[] argv) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help")) {
            out.println(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        try {
            switch (argv[0]) {
                case "demo":
                    return Demo.main(new Args(argv, 1, Demo.OPTIONS), out);
                case "sim":
                    return Sim.main(new Args(argv, 1, Sim.OPTIONS), out);
                case "replay":
                    return Replay.main(new Args(argv, 1, Replay.OPTIONS), out);
                case "bench":
                    if (argv.length < 2) throw new Args.UsageException("bench needs what to measure: sync, capture, hashes or rules");
                    if (argv[1].equals("sync")) return Bench.sync(new Args(argv, 2, Bench.SYNC_OPTIONS), out);
                    if (argv[1].equals("capture")) return Bench.capture(new Args(argv, 2, Bench.CAPTURE_OPTIONS), out);
                    if (argv[1].equals("hashes")) return HashRepeats.main(new Args(argv, 2, HashRepeats.OPTIONS), out);
                    if (argv[1].equals("rules")) {
                        io.tandem.analyzer.rules.RulesBench.main(java.util.Arrays.copyOfRange(argv, 2, argv.length));
                        return 0;
                    }
                    throw new Args.UsageException("unknown benchmark '" + argv[1] + "' (known: sync, capture, hashes, rules)");
                default:
                    throw new Args.UsageException("unknown command '" + argv[0] + "' (known: demo, sim, replay, bench; ./tandem help)");
            }
        } catch (Args.UsageException | IllegalArgumentException e) {
            err.println("tandem: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("tandem: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        }
    }

    /** Real traffic from the shared data: the folder of everyday captures beside this repository. */
    static String defaultSource() {
        return dataFolder().resolve("pcaps").resolve("ordinary").toString();
    }

    /** The shared data (captures, rule sets): system property tandem.data, else ../shared/data. */
    static Path dataFolder() {
        String data = System.getProperty("tandem.data");
        return data != null ? Path.of(data) : Path.of("..", "shared", "data");
    }
}
