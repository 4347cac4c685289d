package io.tandem.itests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** External commands for the live tests: run to the end with a time limit, output (stdout and stderr) kept. */
final class Proc {
    private Proc() {
    }

    record Result(List<String> command, int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        /** The output, or an error naming the command, its exit code and its output. */
        String check() {
            if (!ok()) throw new AssertionError(String.join(" ", command) + " exited with " + exitCode + ":\n" + output);
            return output;
        }
    }

    /**
     * Runs {@code command} with {@code env} added to this JVM's environment, {@code stdin} as its input (null:
     * none); a command still running after {@code timeout} is killed and reported as a failure.
     */
    static Result run(List<String> command, Map<String, String> env, String stdin, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("tandem-proc", ".out");
        Path in = null;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            if (stdin != null) {
                in = Files.createTempFile("tandem-proc", ".in");
                Files.writeString(in, stdin);
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(new File("/dev/null"));
            }
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s:\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            if (in != null) Files.deleteIfExists(in);
        }
    }

    /** Whether {@code tool} is on the PATH (as {@code command -v} finds it). */
    static boolean onPath(String tool) {
        try {
            return run(List.of("bash", "-c", "command -v \"$0\"", tool), Map.of(), null, Duration.ofSeconds(10)).ok();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
