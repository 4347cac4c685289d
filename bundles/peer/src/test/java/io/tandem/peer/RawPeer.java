package io.tandem.peer;

import io.tandem.api.ClusterParameters;
import io.tandem.peer.internal.Auth;
import io.tandem.peer.internal.FrameCodec;
import io.tandem.peer.internal.Message;
import io.tandem.peer.internal.ProtocolViolation;
import io.tandem.peer.internal.Wire;
import org.apache.mina.core.buffer.IoBuffer;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** A hand-driven peer on a plain socket: sends whatever bytes a test wants and reads frames back. */
final class RawPeer implements AutoCloseable {
    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** Connects to 127.0.0.1:port. */
    RawPeer(int port) throws IOException {
        this(connect(port));
    }

    /** Drives an already connected (or accepted) socket. */
    RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) Cluster.WAIT_MS);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), (int) Cluster.WAIT_MS);
        return s;
    }

    int localPort() {
        return socket.getLocalPort();
    }

    static byte[] frame(Message m) {
        IoBuffer b = FrameCodec.encode(m);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    /** A frame header with any version, type and length, for forging bad frames. */
    static byte[] header(int version, int type, long length) {
        return ByteBuffer.allocate(FrameCodec.HEADER_BYTES).put(FrameCodec.MAGIC_0).put(FrameCodec.MAGIC_1)
                .put((byte) version).put((byte) type).putInt((int) length).array();
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void send(Message m) throws IOException {
        write(frame(m));
    }

    /** The next frame, or null at end of stream. */
    Message read() throws IOException {
        byte[] header = new byte[FrameCodec.HEADER_BYTES];
        try {
            in.readFully(header);
        } catch (EOFException e) {
            return null;
        }
        if (header[0] != FrameCodec.MAGIC_0 || header[1] != FrameCodec.MAGIC_1 || header[2] != FrameCodec.VERSION) {
            throw new IOException("bad frame header");
        }
        Message.Type type = Message.Type.of(header[3] & 0xFF);
        byte[] payload = new byte[ByteBuffer.wrap(header, 4, 4).getInt()];
        in.readFully(payload);
        try {
            return Wire.decode(type, ByteBuffer.wrap(payload));
        } catch (ProtocolViolation e) {
            throw new IOException(e.reason(), e);
        }
    }

    /** True once the other side has closed the connection (end of stream or reset), false on timeout. */
    boolean awaitClosed() throws IOException {
        byte[] sink = new byte[65536];
        try {
            while (in.read(sink) >= 0) {
                // discard whatever was still in flight
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    /** Reads the hello and logs in as {@code id}, advertising {@code listenPort}; returns the server's reply. */
    Message login(String id, byte[] secret, int listenPort, ClusterParameters parameters) throws IOException {
        return login(id, secret, "127.0.0.1", listenPort, parameters);
    }

    /** As {@link #login(String, byte[], int, ClusterParameters)}, advertising {@code listenHost}. */
    Message login(String id, byte[] secret, String listenHost, int listenPort, ClusterParameters parameters) throws IOException {
        Message.Hello hello = (Message.Hello) read();
        byte[] nonce = Auth.nonce();
        byte[] mac = new Auth(secret).clientMac(hello.nonce(), nonce, hello.serverId(), id);
        send(new Message.Login(id, listenHost, listenPort, parameters, PeerSettings.DEFAULT_MAX_FRAME_BYTES, nonce, mac));
        return read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
