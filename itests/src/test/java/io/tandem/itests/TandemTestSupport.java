package io.tandem.itests;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.service.cm.ConfigurationAdmin;

import javax.inject.Inject;
import javax.security.auth.Subject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

/** What the integration tests share: the distribution under test, the shell, Config Admin, waiting. */
abstract class TandemTestSupport {
    static final long TIMEOUT_MS = 90_000;

    @Inject
    SessionFactory sessions;
    @Inject
    ConfigurationAdmin configAdmin;

    /** The distribution the build just made, started without consoles, resolving Pax Exam's bundles locally. */
    static List<Option> distribution() {
        return List.of(
                karafDistributionConfiguration().frameworkUrl("file:" + System.getProperty("tandem.distribution"))
                        .karafVersion("4.4.10").name("Tandem").unpackDirectory(new File("target/exam")).useDeployFolder(false),
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                logLevel(LogLevel.INFO),
                // versions.md trap 9
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                        System.getProperty("org.ops4j.pax.url.mvn.localRepository")));
    }

    /** Runs a shell command as a user would; a failing command throws with its one-line message. */
    String exec(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session s = sessions.create(new ByteArrayInputStream(new byte[0]), ps, ps);
        try {
            s.execute(command);
        } finally {
            ps.flush();
            s.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Runs a shell command as a user of the admin group's roles: Karaf hides the commands its ACLs reserve for admins
     * (bundle:stop, bundle:update, ...) from a session without one ("Command not found").
     */
    String execAsAdmin(String command) throws Exception {
        Subject subject = new Subject();
        subject.getPrincipals().add(new UserPrincipal("itest"));
        for (String role : new String[] {"admin", "manager", "viewer", "systembundles"}) subject.getPrincipals().add(new RolePrincipal(role));
        try {
            return Subject.doAs(subject, (PrivilegedExceptionAction<String>) () -> exec(command));
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
    }

    /** A command that must fail with a one-line message containing {@code message}. */
    void assertFails(String command, String message) {
        String out;
        try {
            out = exec(command);
        } catch (Exception e) {
            String text = String.valueOf(e.getMessage()).replaceAll("\u001B\\[[0-9;]*m", "");
            assertContains(text, message);
            assertTrue("one line: " + text, !text.contains("\n"));
            return;
        }
        fail(command + " should fail with '" + message + "', printed: " + out);
    }

    static void assertContains(String text, String part) {
        assertTrue("'" + part + "' in:\n" + text, text.contains(part));
    }

    /** One counter as {@code tandem:stats} shows it, or {@code fallback} (no replica, no such counter, no shell). */
    long stat(String name, long fallback) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(name) + "\\s+(-?\\d+)$").matcher(exec("tandem:stats"));
            return m.find() ? Long.parseLong(m.group(1)) : fallback;
        } catch (Exception e) {
            return fallback;
        }
    }

    /** Sets one key, as config:property-set or an edited cfg file would. */
    void setConfig(String pid, String key, String value) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration(pid, null);
        Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        props.put(key, value);
        c.update(props);
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) fail("timed out after " + TIMEOUT_MS + " ms waiting for: " + what);
            Thread.sleep(100);
        }
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Path karafLog() {
        return Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
    }
}
