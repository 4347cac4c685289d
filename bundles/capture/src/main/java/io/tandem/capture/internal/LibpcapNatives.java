package io.tandem.capture.internal;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.pcap4j.core.PcapHandle;

import java.io.IOException;
import java.lang.reflect.Field;

/**
 * The few libpcap and C library functions live capture needs beyond what pcap4j 1.8.2 offers, direct-mapped
 * through JNA, and the {@code pcap_t} pointer inside a pcap4j {@link PcapHandle} (read by reflection: pcap4j has
 * no accessor). Linux only; {@link #unavailableReason()} says why not elsewhere.
 */
final class LibpcapNatives {
    static final String UNAVAILABLE;
    private static final Field HANDLE_FIELD;
    static final Function PCAP_DUMP;

    static final class Pcap {
        static native int pcap_dispatch(Pointer p, int cnt, Pointer callback, Pointer user);

        static native Pointer pcap_dump_fopen(Pointer p, Pointer file);

        static native void pcap_dump_close(Pointer dumper);

        static native int pcap_snapshot(Pointer p);

        static native int pcap_get_selectable_fd(Pointer p);

        static native Pointer pcap_geterr(Pointer p);
    }

    static final class LibC {
        static native Pointer fmemopen(Pointer buf, long size, String mode);

        static native int fflush(Pointer file);

        static native long ftell(Pointer file);

        static native int fseek(Pointer file, long offset, int whence);

        static native int ferror(Pointer file);

        static native int fclose(Pointer file);

        static native int poll(Pointer fds, NativeLong nfds, int timeout);

        static native int eventfd(int initval, int flags);

        static native NativeLong write(int fd, Pointer buf, NativeLong count);

        static native NativeLong read(int fd, Pointer buf, NativeLong count);

        static native int close(int fd);
    }

    static {
        String why = null;
        Field field = null;
        Function dump = null;
        try {
            if (!Platform.isLinux()) {
                why = "needs Linux, this is " + System.getProperty("os.name");
            } else {
                field = PcapHandle.class.getDeclaredField("handle");
                if (field.getType() != Pointer.class) throw new NoSuchFieldException("PcapHandle.handle is a " + field.getType());
                field.setAccessible(true);
                NativeLibrary pcap = NativeLibrary.getInstance(System.getProperty("org.pcap4j.core.pcapLibName", "pcap"));
                Native.register(Pcap.class, pcap);
                Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
                dump = pcap.getFunction("pcap_dump");
            }
        } catch (Throwable t) {
            why = t.toString();
            field = null;
            dump = null;
        }
        UNAVAILABLE = why;
        HANDLE_FIELD = field;
        PCAP_DUMP = dump;
    }

    private LibpcapNatives() {
    }

    static Pointer pcapT(PcapHandle handle) throws IOException {
        if (UNAVAILABLE != null) throw new IOException("native capture helpers unavailable: " + UNAVAILABLE);
        Pointer p;
        try {
            p = (Pointer) HANDLE_FIELD.get(handle);
        } catch (IllegalAccessException e) {
            throw new IOException("native capture helpers unavailable: " + e, e);
        }
        if (p == null) throw new IOException("pcap4j handle has no pcap_t");
        return p;
    }

    static String geterr(Pointer pcap) {
        Pointer e = Pcap.pcap_geterr(pcap);
        return e == null ? "" : e.getString(0);
    }
}
