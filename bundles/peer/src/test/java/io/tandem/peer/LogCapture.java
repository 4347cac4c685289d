package io.tandem.peer;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Captures what slf4j-simple prints (it writes to the current System.err) while still echoing it. Tests run
 * one at a time in this module, so swapping System.err is safe here.
 */
final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    LogCapture() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (captured) {
                    captured.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (captured) {
                    captured.write(b, off, len);
                }
                original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    List<String> lines() {
        synchronized (captured) {
            return Arrays.asList(captured.toString(StandardCharsets.UTF_8).split("\\R"));
        }
    }

    long count(Predicate<String> match) {
        return lines().stream().filter(match).count();
    }

    /** Waits until a line matches; returns it, or null after {@code timeoutMillis}. */
    String await(Predicate<String> match, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        do {
            for (String line : lines()) {
                if (match.test(line)) return line;
            }
            Thread.sleep(20);
        } while (System.currentTimeMillis() < deadline);
        return null;
    }

    /** A predicate: a WARN line containing every one of {@code parts}. */
    static Predicate<String> warn(String... parts) {
        return line -> line.contains("WARN") && Arrays.stream(parts).allMatch(line::contains);
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
