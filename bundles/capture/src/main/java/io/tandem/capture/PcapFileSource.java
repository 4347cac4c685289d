package io.tandem.capture;

import io.tandem.api.Packet;
import io.tandem.api.PacketSource;
import io.tandem.capture.internal.LinkTypes;
import io.tandem.capture.internal.PcapFileHeader;
import io.tandem.capture.internal.PcapFileWalk;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Recorded captures as a replica's packet source: one classic pcap file, or every {@code *.pcap}/{@code *.cap}
 * file of a folder in name order, read one after another as one stream.
 *
 * <p>Packets are read by real libpcap (through pcap4j) as raw bytes, never decoded. Before libpcap reads a file,
 * its record headers are walked in Java: libpcap's errors do not say where a file is broken, the walk does. Every
 * sound record before the first bad one is delivered; then {@link #next()} throws an IOException naming the
 * file and the byte offset of the bad record (and keeps throwing it).
 *
 * <p>All files must share one link type, so that the stream can be written as one pcap stream for an analyzer
 * ({@link #linkType()}). Headers of all files are checked when the source is created: a file that is not
 * classic pcap or has an unsupported link type fails at once.
 *
 * <p>Not thread-safe: one thread reads a source (pcap4j keeps the last packet's timestamp per thread).
 */
public final class PcapFileSource implements PacketSource {
    private static final Logger LOG = LoggerFactory.getLogger(PcapFileSource.class);

    private final Path path;
    private final boolean folder;
    private final List<PcapFileHeader> headers;
    private final int linkType;

    private int fileIndex = -1;
    private PcapHandle handle;
    private PcapFileWalk walk;
    private long readInFile;
    private long read;
    private IOException failure;
    private boolean closed;

    /**
     * @param fileOrFolder a classic pcap file, or a folder whose {@code *.pcap} and {@code *.cap} files are read in
     *                     name order
     * @throws IOException if the path does not exist, a folder has no capture file, a file is not classic pcap,
     *                     has an unsupported link type, or the files' link types differ
     */
    public PcapFileSource(Path fileOrFolder) throws IOException {
        this.path = fileOrFolder;
        List<Path> files;
        if (Files.isDirectory(fileOrFolder)) {
            folder = true;
            try (Stream<Path> s = Files.list(fileOrFolder)) {
                files = s.filter(Files::isRegularFile)
                        .filter(p -> {
                            String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                            return n.endsWith(".pcap") || n.endsWith(".cap");
                        })
                        .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                        .toList();
            }
            if (files.isEmpty()) throw new IOException(fileOrFolder + ": folder holds no *.pcap or *.cap file");
        } else if (Files.isRegularFile(fileOrFolder)) {
            folder = false;
            files = List.of(fileOrFolder);
        } else {
            throw new IOException(fileOrFolder + ": no such file or folder");
        }
        List<PcapFileHeader> hs = new ArrayList<>(files.size());
        for (Path f : files) {
            PcapFileHeader h = PcapFileHeader.read(f);
            if (!LinkTypes.supported(h.linkType())) {
                throw new IOException(f + ": link type " + LinkTypes.describe(h.linkType()) + " is not supported (supported: "
                        + LinkTypes.supportedList() + ")");
            }
            if (!hs.isEmpty() && !LinkTypes.same(hs.get(0).linkType(), h.linkType())) {
                PcapFileHeader first = hs.get(0);
                throw new IOException(fileOrFolder + ": " + first.file().getFileName() + " has link type "
                        + LinkTypes.describe(first.linkType()) + " but " + f.getFileName() + " has "
                        + LinkTypes.describe(h.linkType()) + "; one source needs one link type");
            }
            hs.add(h);
        }
        this.headers = List.copyOf(hs);
        this.linkType = hs.get(0).linkType();
    }

    /**
     * The link type as written in the (first) file's pcap header (LINKTYPE_* value; equal to libpcap's DLT except
     * for raw IP, where files say 101 and libpcap reports DLT_RAW 12). Written unchanged into a pcap global
     * header, it describes this source's packets.
     */
    public int linkType() {
        return linkType;
    }

    /** The files read, in reading order. */
    public List<Path> files() {
        return headers.stream().map(PcapFileHeader::file).toList();
    }

    /** Packets delivered so far. */
    public long packetsRead() {
        return read;
    }

    /** Never blocks and is never interrupted (a file always has its next record or its end). */
    @Override
    public Packet next() throws IOException {
        if (failure != null) throw failure;
        if (closed) return null;
        while (true) {
            if (handle == null) {
                if (fileIndex + 1 >= headers.size()) {
                    closed = true;
                    return null;
                }
                openFile(fileIndex + 1);
            }
            if (readInFile < walk.records()) return readRecord();
            Path file = walk.header().file();
            closeHandle();
            if (walk.error() != null) throw fail(new IOException(walk.error()));
            LOG.debug("{}: end after {} packets", file, readInFile);
        }
    }

    private void openFile(int index) throws IOException {
        fileIndex = index;
        PcapFileHeader h = headers.get(index);
        try {
            walk = PcapFileWalk.walk(h);
        } catch (IOException e) {
            throw fail(e.getMessage() != null && e.getMessage().startsWith(h.file().toString()) ? e
                    : new IOException(h.file() + ": " + e, e));
        }
        try {
            handle = Pcaps.openOffline(h.file().toString(), PcapHandle.TimestampPrecision.MICRO);
        } catch (PcapNativeException | RuntimeException | UnsatisfiedLinkError e) {
            throw fail(new IOException(h.file() + ": libpcap cannot open it: " + e.getMessage(), e));
        }
        readInFile = 0;
        LOG.debug("{}: opened, {} sound records{}", h.file(), walk.records(), walk.error() == null ? "" : ", then " + walk.error());
    }

    private Packet readRecord() throws IOException {
        Path file = walk.header().file();
        byte[] data;
        try {
            data = handle.getNextRawPacketEx();
        } catch (EOFException e) {
            closeHandle();
            throw fail(new IOException(file + ": libpcap reached the end after " + readInFile + " packets but the file holds "
                    + walk.records() + " records"));
        } catch (PcapNativeException | TimeoutException | NotOpenException e) {
            closeHandle();
            throw fail(new IOException(file + ": libpcap failed reading packet " + (readInFile + 1) + ": " + e.getMessage(), e));
        }
        Timestamp ts = handle.getTimestamp();
        long micros = Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1000;
        Integer original = handle.getOriginalLength();
        int wire = original == null ? data.length : Math.max(original, data.length);
        readInFile++;
        read++;
        return new Packet(micros, wire, data);
    }

    private IOException fail(IOException e) {
        failure = e;
        closed = true;
        return e;
    }

    private void closeHandle() {
        if (handle != null) {
            handle.close();
            handle = null;
        }
    }

    @Override
    public String describe() {
        return folder ? "pcap folder " + path + " (" + headers.size() + " files), link type " + LinkTypes.describe(linkType)
                : "pcap file " + path + ", link type " + LinkTypes.describe(linkType);
    }

    @Override
    public void close() {
        closed = true;
        closeHandle();
    }

    @Override
    public String toString() {
        return describe();
    }
}
