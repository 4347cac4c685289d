package io.tandem.shell.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.nio.file.Path;
import java.util.Objects;

/** {@code tandem:hashlog}: the thesis's hash log (one hex hash per delivered packet), shown, set or turned off live. */
@Service
@Command(scope = "tandem", name = "hashlog", description = "Shows, sets or turns off the hash log: one hex hash per packet of the aligned stream, appended to FILE.")
public class HashlogCommand extends TandemCommand {

    @Argument(index = 0, name = "file", description = "where to write; relative paths are under the Karaf base directory")
    String file;

    @Option(name = "--off", description = "stop writing the hash log")
    boolean off;

    @Override
    Object run() throws Exception {
        if (off && file != null) throw new IllegalArgumentException("give either a file or --off, not both");
        if (!off && file == null) {
            String log = snapshot().hashLog();
            System.out.println("hash log " + (log == null ? "off" : log));
            return null;
        }
        String value = off ? "" : file.trim();
        String base = System.getProperty("karaf.base");
        String expected = off ? null : (Path.of(value).isAbsolute() || base == null ? Path.of(value) : Path.of(base).resolve(value)).toString();
        String now = replica == null ? null : replica.snapshot().hashLog();
        if (!setLive(SYNC_PID, "hashlog", value, s -> Objects.equals(s.hashLog(), expected),
                "hash log '" + value + "' could not be opened (see log:display for why); it stays " + (now == null ? "off" : now))) {
            return null;
        }
        System.out.println(off ? "hash log off" : "hash log now written to " + expected);
        return null;
    }
}
