package io.tandem.capture.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.tandem.capture.internal.LibpcapNatives.LibC;
import io.tandem.capture.internal.LibpcapNatives.Pcap;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;

import java.io.IOException;

/**
 * Waiting for frames outside libpcap. On Linux a blocking libpcap read does not return when its timeout passes
 * with no traffic (immediate mode and TPACKET_V3 alike: measured with libpcap 1.10.3), so a reader could not notice
 * an interrupt on an idle link. Instead the handle is put in non-blocking mode (reads take what is ready and
 * return at once) and, when nothing is ready, the reader waits here in {@code poll()} on the capture socket and on
 * an eventfd of its own, for at most the read timeout: {@link #wake()} (from any thread, e.g. on close) ends the
 * wait at once.
 *
 * <p>One thread waits; {@link #wake()} from any thread; {@link #close()} only once nobody waits.
 */
public final class PcapWaiter implements AutoCloseable {
    private static final short POLLIN = 0x1;
    private static final int EFD_NONBLOCK = 04000;
    private static final int EFD_CLOEXEC = 02000000;
    private static final int EINTR = 4;

    private final int captureFd;
    private final int wakeFd;
    /** struct pollfd[2]: {int fd; short events; short revents}. */
    private final Memory pollfds = new Memory(16);
    private final Memory counter = new Memory(8);
    private final Memory wakeValue = new Memory(8);
    private volatile boolean closed;

    private PcapWaiter(int captureFd, int wakeFd) {
        this.captureFd = captureFd;
        this.wakeFd = wakeFd;
        pollfds.setInt(0, captureFd);
        pollfds.setShort(4, POLLIN);
        pollfds.setInt(8, wakeFd);
        pollfds.setShort(12, POLLIN);
        wakeValue.setLong(0, 1);
    }

    /** Null when this works here, else why not (one line). */
    public static String unavailableReason() {
        return LibpcapNatives.UNAVAILABLE;
    }

    /** Puts {@code handle} in non-blocking mode; call before any read. */
    public static PcapWaiter open(PcapHandle handle) throws IOException {
        int fd = Pcap.pcap_get_selectable_fd(LibpcapNatives.pcapT(handle));
        if (fd < 0) throw new IOException("capture socket has no selectable descriptor");
        int wake = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (wake < 0) throw new IOException("eventfd failed (errno " + Native.getLastError() + ")");
        try {
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
        } catch (PcapNativeException | NotOpenException e) {
            LibC.close(wake);
            throw new IOException("cannot make the capture non-blocking: " + e.getMessage(), e);
        }
        return new PcapWaiter(fd, wake);
    }

    /**
     * Waits until the capture socket has something to read (or an error to report), {@link #wake()} is called,
     * or {@code timeoutMillis} pass.
     *
     * @return true if the socket is readable (or in error), false after a timeout, a wake-up or a signal
     */
    public boolean await(int timeoutMillis) throws IOException {
        if (closed) return false;
        pollfds.setShort(6, (short) 0);
        pollfds.setShort(14, (short) 0);
        int rc = LibC.poll(pollfds, new NativeLong(2), timeoutMillis);
        if (rc < 0) {
            int errno = Native.getLastError();
            if (errno == EINTR) return false;
            throw new IOException("poll on the capture socket failed (errno " + errno + ")");
        }
        if (rc == 0) return false;
        if (pollfds.getShort(14) != 0) {
            LibC.read(wakeFd, counter, new NativeLong(8)); // reset; the caller looks at why it was woken
        }
        return pollfds.getShort(6) != 0;
    }

    /** Ends a current or the next {@link #await} at once. Any thread. */
    public void wake() {
        if (!closed) LibC.write(wakeFd, wakeValue, new NativeLong(8));
    }

    /** Closes the eventfd (the capture socket belongs to the handle). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        LibC.close(wakeFd);
    }

    @Override
    public String toString() {
        return "poll(capture fd " + captureFd + ", wake fd " + wakeFd + ")";
    }
}
