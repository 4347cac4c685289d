package io.tandem.shell.command;

import io.tandem.api.ReplicaSnapshot;
import io.tandem.api.ReplicaStatus;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code tandem:top}: the replica on one screen, redrawn every second with ANSI escapes (the thesis's curses
 * view): role, state, members, round, desync level, queue fill, and every drop, recovery and delivery counter with
 * its rate per second. {@code q} leaves (so does Ctrl-C); {@code --once} prints one plain frame and returns.
 *
 * <p>Keys are read as Karaf's own {@code shell:watch} reads them: the session's JLine terminal in raw mode, so a
 * single key counts without Enter. A session without one (a command sent over SSH without a pty, a headless
 * session) gets plain frames one after the other and ends with its input.
 */
@Service
@Command(scope = "tandem", name = "top", description = "Live view of the replica, redrawn every second: role, state, members, round, desync level, queue, counters and rates per second. q leaves; --once prints one frame.")
public class TopCommand extends TandemCommand {
    private static final String HOME = "\u001B[H";
    private static final String CLEAR_SCREEN = "\u001B[2J";
    private static final String CLEAR_LINE = "\u001B[K";
    private static final String CLEAR_BELOW = "\u001B[J";
    private static final String HIDE_CURSOR = "\u001B[?25l";
    private static final String SHOW_CURSOR = "\u001B[?25h";

    @Option(name = "--once", description = "print one frame, without escapes, and return (for scripts and bin/client)")
    boolean once;

    @Option(name = "--interval", description = "seconds between frames, 1..60 (default 1)")
    String interval;

    @Reference(optional = true)
    Session session;

    private volatile boolean quit;
    /** Set once the view is over: from then on nothing may interrupt the command's thread (Karaf reuses it). */
    private boolean done;
    private Thread drawing;

    @Override
    Object run() throws Exception {
        int seconds = interval();
        PrintStream out = System.out;
        if (once) {
            ReplicaStatus r = current();
            if (r == null) {
                out.println(notRunning());
            } else {
                for (String line : TopFrame.render(r.snapshot(), null, 0, System.currentTimeMillis(), false)) out.println(line);
            }
            return null;
        }
        Object t = session == null ? null : session.get(".jline.terminal");
        Terminal terminal = t instanceof Terminal term ? term : null;
        Attributes saved = terminal == null ? null : terminal.enterRawMode();
        drawing = Thread.currentThread();
        Thread keys = terminal == null ? readKeys(session == null ? null : session.getKeyboard()) : null;
        Terminal.SignalHandler previous = terminal == null ? null : terminal.handle(Terminal.Signal.INT, s -> leave());
        boolean ansi = terminal != null;
        if (ansi) out.print(HIDE_CURSOR + HOME + CLEAR_SCREEN);
        try {
            ReplicaSnapshot before = null;
            long beforeNanos = 0;
            do {
                long now = System.nanoTime();
                ReplicaStatus r = current();
                ReplicaSnapshot snap = r == null ? null : r.snapshot();
                List<String> lines = snap == null ? List.of("tandem:top    q: quit", "", notRunning())
                        : TopFrame.render(snap, before, (now - beforeNanos) / 1e9, System.currentTimeMillis(), true);
                draw(out, lines, ansi);
                if (out.checkError()) break; // the session's output is gone (its client disconnected)
                before = snap;
                beforeNanos = now;
                waitForKey(terminal, now + seconds * 1_000_000_000L);
            } while (!quit);
        } catch (InterruptedException | InterruptedIOException e) {
            // Ctrl-C: leave like q
        } finally {
            if (terminal != null) {
                terminal.setAttributes(saved);
                terminal.handle(Terminal.Signal.INT, previous);
            }
            synchronized (this) {
                done = true;
                quit = true;
            }
            Thread.interrupted();
            if (keys != null) keys.interrupt();
            if (ansi) {
                out.print(SHOW_CURSOR);
                out.println();
            }
            out.flush();
        }
        return null;
    }

    private int interval() {
        if (interval == null) return 1;
        try {
            int s = Integer.parseInt(interval.trim());
            if (s >= 1 && s <= 60) return s;
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("--interval must be a whole number of seconds 1..60, not '" + interval + "'");
    }

    /** With ANSI escapes the frame replaces the previous one in place; without, frames follow each other. */
    private void draw(PrintStream out, List<String> lines, boolean ansi) {
        int width = ansi && session.getTerminal() != null ? session.getTerminal().getWidth() : 0;
        int height = ansi && session.getTerminal() != null ? session.getTerminal().getHeight() : 0;
        StringBuilder b = new StringBuilder(ansi ? HOME : "");
        int n = height > 1 ? Math.min(lines.size(), height - 1) : lines.size();
        for (int i = 0; i < n; i++) {
            String line = lines.get(i);
            if (width > 1 && line.length() >= width) line = line.substring(0, width - 1);
            b.append(line).append(ansi ? CLEAR_LINE : "").append('\n');
        }
        out.print(ansi ? b.append(CLEAR_BELOW) : b.append('\n'));
        out.flush();
    }

    /** Until {@code deadlineNanos}, or earlier if q is pressed (then {@link #quit} is set). */
    private void waitForKey(Terminal terminal, long deadlineNanos) throws InterruptedException, IOException {
        long left;
        while (!quit && (left = deadlineNanos - System.nanoTime()) > 0) {
            if (terminal == null) {
                Thread.sleep(Math.max(1, left / 1_000_000)); // the key reader interrupts this
                continue;
            }
            int c = terminal.reader().read(Math.max(1, left / 1_000_000));
            if (c == -2) continue; // timed out: next frame
            if (isQuit(c)) quit = true;
        }
    }

    /**
     * A session without a JLine terminal (a command run over SSH without a pty, a headless session): its keyboard
     * is read on a thread of its own; q, or the end of the input (the client went away), ends the view.
     */
    private Thread readKeys(InputStream keyboard) {
        Thread reader = new Thread(() -> {
            try {
                while (!quit) {
                    int c = keyboard == null ? -1 : keyboard.read();
                    if (isQuit(c)) break;
                }
            } catch (IOException e) {
                // as the end of the input
            }
            leave();
        }, "tandem-top-keys");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    /** Ctrl-C, or a key read on another thread: ends the view, waking the drawing thread if it still draws. */
    private synchronized void leave() {
        quit = true;
        if (!done) drawing.interrupt();
    }

    private static boolean isQuit(int c) {
        return c == 'q' || c == 'Q' || c == 3 || c == -1;
    }
}
