package io.tandem.analyzer.pipe.internal;

import io.tandem.analyzer.pipe.PipeSettings;
import io.tandem.api.AlertSink;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.Packet;
import io.tandem.api.StreamInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One run of the external program over (part of) the aligned stream: a session folder with a FIFO the program reads
 * as a pcap file, its EVE file, and its console output ({@code <name>.log}).
 *
 * <p>Packets are written on the caller's (feeder) thread, one write per packet so the program always has every
 * packet fed; a full pipe blocks the caller, never the sync thread. A reader thread of the session follows the EVE
 * file, maps each alert's {@code pcap_cnt} to the position written as that record, and advances {@link #completed()}.
 *
 * <p>Completion: the program does not acknowledge packets. A packet counts as analyzed, while the program lives,
 * once (a) more than {@link #READ_AHEAD_BYTES} were written after it — the pipe and the program's read buffers hold
 * less, so it has been read, and in single-thread mode read means analyzed and its EVE lines written — or (b) it was
 * written at least {@code settle} ago (the tail of a quiet stream; an approximation: a program stalled for longer
 * may not have analyzed it yet). Either way its alerts are raised before {@code completed} passes it, because the
 * reader decides what settled before reading the EVE file to its end. After {@link #finish()} (end of stream, the
 * program exits 0) everything fed is completed.
 */
public final class PipeSession implements AnalyzerSession {
    private static final Logger LOG = LoggerFactory.getLogger(PipeSession.class);
    /** More than a pipe holds (64 KiB default, 1 MiB max here) plus the program's stdio buffer. */
    static final long READ_AHEAD_BYTES = 2L << 20;
    static final int SNAPLEN = 262_144;
    private static final long POLL_MS = 20;
    private static final long FINISH_TIMEOUT_S = 120;
    private static final long STOP_GRACE_MS = 3000;
    /** Folders of died sessions kept for a post-mortem (console log, EVE). */
    private static final int DEAD_KEPT = 5;
    private static final String DEAD_MARKER = "died.txt";

    private final PipeSettings settings;
    private final String name;
    private final AlertSink sink;
    private final Path dir;
    private final Path fifo;
    private final Path eve;
    private final Path consoleLog;
    private final Consumer<PipeSession> onClose;
    private final RecordIndex index = new RecordIndex();
    private final Pending pending = new Pending();
    private final ByteBuffer record = ByteBuffer.allocateDirect(16 + SNAPLEN).order(ByteOrder.LITTLE_ENDIAN);
    private final AtomicLong alerts = new AtomicLong();
    private final AtomicLong notJson = new AtomicLong();
    private final AtomicLong otherEvents = new AtomicLong();
    private final AtomicLong unmapped = new AtomicLong();
    private Process process;
    private FileChannel out;
    private Thread reader;
    private long lastFed;
    private volatile long bytesWritten;
    private volatile long completed;
    private volatile String death;
    private volatile boolean finishing;
    private volatile boolean closed;

    private PipeSession(PipeSettings settings, StreamInfo stream, AlertSink sink, Path dir, Consumer<PipeSession> onClose) {
        this.settings = settings;
        this.name = settings.name();
        this.sink = sink;
        this.dir = dir;
        this.fifo = dir.resolve("stream.pcap");
        this.eve = dir.resolve("log").resolve("eve.json");
        this.consoleLog = dir.resolve(safe(name) + ".log");
        this.onClose = onClose;
        this.completed = stream.firstPosition();
        this.lastFed = stream.firstPosition() - 1;
    }

    /**
     * Starts the program and returns once it has opened the FIFO and been given the pcap header.
     *
     * @throws IOException in one line: rules file missing, program not found, program exited or timed out at start
     */
    public static PipeSession open(PipeSettings s, StreamInfo stream, AlertSink sink, Consumer<PipeSession> onClose) throws IOException {
        if (stream.firstPosition() < 0) throw new IllegalArgumentException("first position " + stream.firstPosition() + " < 0");
        if (s.command().contains("{rules}")) {
            if (!Files.isRegularFile(s.rules())) throw new IOException(s.name() + ": rules file " + s.rules() + " not found");
            if (!Files.isReadable(s.rules())) throw new IOException(s.name() + ": rules file " + s.rules() + " not readable");
        }
        try {
            Files.createDirectories(s.workDir());
        } catch (IOException e) {
            throw new IOException(s.name() + ": cannot create work dir " + s.workDir() + ": " + e);
        }
        pruneDead(s.workDir(), safe(s.name()));
        Path dir = Files.createTempDirectory(s.workDir(), safe(s.name()) + "-");
        PipeSession session = new PipeSession(s, stream, sink, dir, onClose);
        try {
            session.start(stream.linkType());
        } catch (IOException | RuntimeException e) {
            session.stopProcess();
            session.keepOrDelete(e.getMessage());
            throw e;
        }
        return session;
    }

    private void start(int linkType) throws IOException {
        Files.createDirectories(eve.getParent());
        mkfifo(fifo);
        Path include = dir.resolve("tandem-eve.yaml");
        Files.writeString(include, includeYaml(eve));
        List<String> cmd = command(include);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            process = pb.start();
        } catch (IOException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IOException(name + ": cannot run " + cmd.get(0) + ": " + String.valueOf(c.getMessage()).replaceFirst("^error=\\d+, ", ""));
        }
        LOG.info("{}: started pid {} in {}: {}", name, process.pid(), dir, String.join(" ", cmd));
        out = openWriter();
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN).putInt(linkType).flip();
        try {
            while (header.hasRemaining()) out.write(header);
        } catch (IOException e) {
            String why = deathMessage("while reading the pcap header");
            try {
                out.close();
            } catch (IOException ignored) {
                // the program is gone already; the message above says why
            }
            process.destroyForcibly();
            throw new IOException(why);
        }
        bytesWritten = 24;
        reader = new Thread(this::readLoop, "tandem-" + safe(name) + "-eve-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Opens the FIFO for writing, which waits until the program opens it for reading (after loading its rules). A
     * watchdog ends that wait if the program exits or the start timeout passes, by opening the read end itself.
     */
    private FileChannel openWriter() throws IOException {
        AtomicReference<String> failure = new AtomicReference<>();
        Object done = new Object();
        boolean[] opened = {false};
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        Thread watchdog = new Thread(() -> {
            while (true) {
                synchronized (done) {
                    if (opened[0]) return;
                    try {
                        done.wait(POLL_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (opened[0]) return;
                }
                boolean alive = process.isAlive();
                if (!alive || System.nanoTime() > deadline) {
                    failure.set(alive ? name + " did not open its input within " + settings.startTimeout().toSeconds()
                            + " s (start.timeout); log: " + consoleLog : deathMessage("at start"));
                    try (FileChannel unblock = FileChannel.open(fifo, StandardOpenOption.READ)) {
                        // opening the read end lets the writer's open return
                    } catch (IOException ignored) {
                        // the writer gave up on its own
                    }
                    return;
                }
            }
        }, "tandem-" + safe(name) + "-start-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        FileChannel ch;
        try {
            ch = FileChannel.open(fifo, StandardOpenOption.WRITE);
        } finally {
            synchronized (done) {
                opened[0] = true;
                done.notifyAll();
            }
        }
        if (failure.get() != null) {
            ch.close();
            throw new IOException(failure.get());
        }
        return ch;
    }

    List<String> command(Path include) {
        List<String> cmd = new ArrayList<>();
        for (String w : PipeSettings.splitWords(settings.command())) {
            if (w.equals("{args}")) {
                cmd.addAll(settings.args());
                continue;
            }
            cmd.add(w.replace("{fifo}", fifo.toString()).replace("{logdir}", eve.getParent().toString())
                    .replace("{include}", include.toString()).replace("{rules}", settings.rules().toString())
                    .replace("{dir}", dir.toString()).replace("{args}", String.join(" ", settings.args())));
        }
        return cmd;
    }

    /** Only alerts go to EVE: the other event types (flow, stats, http...) would grow the file with nothing to read. */
    static String includeYaml(Path eve) {
        return "%YAML 1.1\n---\n"
                + "# Written by Tandem analyzer-pipe for one session: alerts only, as EVE JSON, to the file it follows.\n"
                + "outputs:\n"
                + "  - eve-log:\n"
                + "      enabled: yes\n"
                + "      filetype: regular\n"
                + "      filename: " + eve.getFileName() + "\n"
                + "      types:\n"
                + "        - alert\n"
                + "stats:\n"
                + "  enabled: no\n";
    }

    private static void mkfifo(Path fifo) throws IOException {
        Process p = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).redirectErrorStream(true).start();
        String said;
        try {
            said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("mkfifo " + fifo + " did not return");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted in mkfifo " + fifo);
        }
        if (p.exitValue() != 0) throw new IOException("mkfifo " + fifo + " failed: " + said);
    }

    @Override
    public void analyze(long position, Packet packet) throws IOException, InterruptedException {
        if (position <= lastFed) throw new IllegalArgumentException("position " + position + " is not after " + lastFed);
        if (finishing) throw new IllegalStateException(name + ": session finished");
        failIfDead();
        byte[] data = packet.data();
        int incl = Math.min(data.length, SNAPLEN);
        long ts = packet.timestampMicros();
        record.clear();
        record.putInt((int) Math.floorDiv(ts, 1_000_000L)).putInt((int) Math.floorMod(ts, 1_000_000L))
                .putInt(incl).putInt(Math.max(packet.wireLength(), incl)).put(data, 0, incl).flip();
        // indexed before the write: the program may raise this record's alert before write() even returns
        index.add(position);
        lastFed = position;
        try {
            while (record.hasRemaining()) out.write(record);
        } catch (ClosedByInterruptException e) {
            // the interrupt closed the FIFO: this session cannot go on, a new one replays from completed()
            death = name + ": session ended by an interrupt while writing packet " + position;
            throw new InterruptedException(death);
        } catch (AsynchronousCloseException e) {
            throw new IOException(name + ": session closed while writing packet " + position);
        } catch (IOException e) {
            // EPIPE: the program closed its input, i.e. died
            death = deathMessage("at packet " + position);
            throw new IOException(death);
        }
        long end = bytesWritten + 16 + incl;
        bytesWritten = end;
        pending.add(end, System.nanoTime());
    }

    private void failIfDead() throws IOException {
        if (closed) throw new IOException(name + ": session closed");
        if (death == null && !process.isAlive()) death = deathMessage("");
        if (death != null) throw new IOException(death);
    }

    @Override
    public long completed() {
        return completed;
    }

    @Override
    public void finish() throws IOException, InterruptedException {
        failIfDead();
        finishing = true;
        if (index.records() == 0) {
            // a stream of no packets: the program waits for a first packet ~60 s (deaf to SIGTERM meanwhile) and
            // has nothing to say
            process.destroyForcibly();
            process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
            joinReader();
            return;
        }
        try {
            out.close(); // end of the pcap stream: the program analyzes what it holds, flushes its flows, exits
        } catch (IOException ignored) {
            // the exit code tells
        }
        if (!process.waitFor(FINISH_TIMEOUT_S, TimeUnit.SECONDS)) {
            stopProcess();
            throw new IOException(name + " did not exit within " + FINISH_TIMEOUT_S + " s after the end of its stream; log: " + consoleLog);
        }
        joinReader();
        if (process.exitValue() != 0) {
            death = deathMessage("at the end of its stream");
            throw new IOException(death);
        }
        completed = lastFed + 1;
    }

    private void joinReader() throws InterruptedException {
        if (reader != null) {
            synchronized (pending) {
                pending.notifyAll();
            }
            reader.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (out != null) out.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        stopProcess();
        if (reader != null) {
            reader.interrupt();
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.debug("{}: session {} closed: {} alerts, {} other events, {} lines not JSON, {} unmapped", name, dir, alerts, otherEvents, notJson, unmapped);
        keepOrDelete(death);
        if (onClose != null) onClose.accept(this);
    }

    private void stopProcess() {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The reader thread: settles packets, raises alerts, notices death. */
    private void readLoop() {
        try (EveTail tail = new EveTail(eve)) {
            while (!closed) {
                boolean alive = process.isAlive();
                long settled = alive ? pending.settle(bytesWritten, System.nanoTime(), settings.settle().toNanos()) : 0;
                drain(tail);
                if (settled > 0) {
                    long pos = index.position(settled - 1);
                    if (pos >= completed) completed = pos + 1;
                }
                if (!alive) {
                    if (!finishing && !closed) {
                        death = deathMessage("");
                        LOG.warn("{}", death);
                    }
                    drain(tail); // what the program wrote before it exited still counts
                    return;
                }
                synchronized (pending) {
                    pending.wait(POLL_MS);
                }
            }
        } catch (InterruptedException e) {
            // close(): alerts not yet raised are lost, as close() says
        } catch (IOException | RuntimeException e) {
            // without its reader the session raises nothing and completes nothing: make the next analyze() fail so
            // that the feeder restarts it, rather than let it analyze on unheard
            death = name + ": EVE reader of " + eve + " failed: " + e;
            LOG.error("{}", death);
        }
    }

    private void drain(EveTail tail) throws IOException {
        tail.poll(this::line);
    }

    private void line(String line) {
        if (line.isBlank()) return;
        EveAlert a;
        try {
            a = EveAlert.from(Json.parse(line));
        } catch (IllegalArgumentException e) {
            notJson.incrementAndGet();
            LOG.debug("{}: EVE line ignored ({}): {}", name, e.getMessage(), line.length() > 200 ? line.substring(0, 200) + "..." : line);
            return;
        }
        if (a == null) {
            otherEvents.incrementAndGet();
            return;
        }
        // pcap_cnt 0: the program's own pseudo packet (flow timeout, end of stream); put at the newest packet fed
        long pos = a.pcapCnt() > 0 ? index.position(a.pcapCnt() - 1) : index.lastPosition();
        if (pos < 0) {
            unmapped.incrementAndGet();
            LOG.warn("{}: alert {}:{} on record {} maps to no packet fed; dropped", name, a.gid(), a.sid(), a.pcapCnt());
            return;
        }
        try {
            sink.raise(a.toAlert(pos, name));
            alerts.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.warn("{}: alert sink failed on {}:{}@{}: {}", name, a.gid(), a.sid(), pos, e.toString());
        }
    }

    /** One line: who died, how, the last thing it said, where its log is. */
    private String deathMessage(String when) {
        String code = "is gone";
        if (process != null) {
            try {
                process.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (process.isAlive()) {
                code = "(pid " + process.pid() + ") closed its input but is still running";
            } else {
                int c = process.exitValue();
                code = "(pid " + process.pid() + ") exited with code " + c + (c > 128 ? " (signal " + (c - 128) + ")" : "");
            }
        }
        String last = lastLine(consoleLog);
        return name + " " + code + (when.isEmpty() ? "" : " " + when) + (last.isEmpty() ? "" : ": " + last) + "; log: " + consoleLog;
    }

    static String lastLine(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, 8192);
            byte[] b = new byte[n];
            f.seek(len - n);
            f.readFully(b);
            String[] lines = new String(b, StandardCharsets.UTF_8).split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                String l = lines[i].strip();
                if (!l.isEmpty()) return l.length() > 300 ? l.substring(0, 300) + "..." : l;
            }
        } catch (IOException e) {
            // no log yet
        }
        return "";
    }

    /** A died session's folder is kept (console log, EVE) for a post-mortem; a clean one is removed. */
    private void keepOrDelete(String deathMessage) {
        try {
            if (deathMessage != null) {
                Files.writeString(dir.resolve(DEAD_MARKER), deathMessage + "\n");
            } else {
                deleteTree(dir);
            }
        } catch (IOException e) {
            LOG.warn("{}: cannot clean up {}: {}", name, dir, e.toString());
        }
    }

    private static void pruneDead(Path workDir, String prefix) {
        try (Stream<Path> s = Files.list(workDir)) {
            List<Path> dead = s.filter(d -> d.getFileName().toString().startsWith(prefix + "-") && Files.exists(d.resolve(DEAD_MARKER)))
                    .sorted(Comparator.comparingLong(PipeSession::modified).reversed()).toList();
            for (Path d : dead.subList(Math.min(dead.size(), DEAD_KEPT - 1), dead.size())) deleteTree(d);
        } catch (IOException e) {
            LOG.debug("cannot prune {}: {}", workDir, e.toString());
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    public Path dir() {
        return dir;
    }

    public long pid() {
        return process.pid();
    }

    /** Alerts raised so far. */
    public long alerts() {
        return alerts.get();
    }

    /** EVE lines that were not JSON or not usable alert records. */
    public long linesIgnored() {
        return notJson.get();
    }

    /** Alerts whose record number matched no packet fed. */
    public long unmapped() {
        return unmapped.get();
    }

    /**
     * Packets written and not yet settled, as (cumulative bytes written after the record, time written): a ring the
     * feeder appends to and the reader pops from.
     */
    private static final class Pending {
        private long[] end = new long[1024];
        private long[] when = new long[1024];
        private int head;
        private int size;
        private long settled;

        synchronized void add(long bytesEnd, long nanos) {
            if (size == end.length) {
                long[] e = new long[size * 2];
                long[] w = new long[size * 2];
                for (int i = 0; i < size; i++) {
                    e[i] = end[(head + i) % end.length];
                    w[i] = when[(head + i) % end.length];
                }
                end = e;
                when = w;
                head = 0;
            }
            int i = (head + size) % end.length;
            end[i] = bytesEnd;
            when[i] = nanos;
            size++;
        }

        /** Pops what settled; returns how many records have settled in all. */
        synchronized long settle(long written, long now, long settleNanos) {
            while (size > 0 && (written - end[head] >= READ_AHEAD_BYTES || now - when[head] >= settleNanos)) {
                head = (head + 1) % end.length;
                size--;
                settled++;
            }
            return settled;
        }
    }
}
