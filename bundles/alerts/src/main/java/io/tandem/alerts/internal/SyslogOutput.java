package io.tandem.alerts.internal;

import io.tandem.alerts.AlertOutput;
import io.tandem.alerts.EveJson;
import io.tandem.api.Alert;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * RFC 5424 messages over UDP (RFC 5426), one per alert. Structured data {@code tandem@32473} carries the alert's
 * identity (32473 is the private enterprise number RFC 5612 sets aside for examples; no number is registered for
 * Tandem). The message text is fast.log's line.
 */
public final class SyslogOutput implements AlertOutput {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    /** UTF-8 byte order mark: RFC 5424 marks a UTF-8 MSG with it. */
    private static final String BOM = "\uFEFF";

    private final InetSocketAddress target;
    private final int facility;
    private final String appName;
    private final String hostname;
    private final DatagramSocket socket;

    /**
     * @param facility 0..23 (16 = local0)
     * @throws UnknownHostException if the host does not resolve
     * @throws SocketException      if no UDP socket can be opened
     */
    public SyslogOutput(String host, int port, int facility, String appName) throws UnknownHostException, SocketException {
        if (facility < 0 || facility > 23) throw new IllegalArgumentException("facility must be 0..23, not " + facility);
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be 1..65535, not " + port);
        this.target = new InetSocketAddress(InetAddress.getByName(host), port);
        this.facility = facility;
        this.appName = printable(appName, 48);
        this.hostname = localHostname();
        this.socket = new DatagramSocket();
    }

    @Override
    public void write(Alert alert, String reporter) throws IOException {
        byte[] b = message(alert, reporter).getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, target));
    }

    /** The RFC 5424 message: {@code <PRI>1 TIMESTAMP HOST APP - alert [tandem@32473 ...] BOM text}. */
    String message(Alert a, String reporter) {
        StringBuilder b = new StringBuilder(320);
        b.append('<').append(facility * 8 + severity(a.severity())).append(">1 ");
        b.append(TIMESTAMP.format(Instant.ofEpochSecond(Math.floorDiv(a.timestampMicros(), 1_000_000L),
                Math.floorMod(a.timestampMicros(), 1_000_000L) * 1_000L)));
        b.append(' ').append(hostname).append(' ').append(appName).append(" - alert [tandem@32473");
        param(b, "alert_id", a.key().toString());
        param(b, "reporter", reporter);
        param(b, "position", Long.toString(a.position()));
        param(b, "gid", Integer.toString(a.gid()));
        param(b, "sid", Long.toString(a.sid()));
        param(b, "rev", Integer.toString(a.rev()));
        param(b, "analyzer", a.analyzer());
        b.append("] ").append(BOM);
        b.append("[").append(a.gid()).append(':').append(a.sid()).append(':').append(a.rev()).append("] ").append(a.signature());
        if (!a.category().isEmpty()) b.append(" [Classification: ").append(a.category()).append(']');
        b.append(" [Priority: ").append(a.severity()).append("] {").append(a.proto()).append("} ")
                .append(endpoint(a.srcIp(), a.srcPort())).append(" -> ").append(endpoint(a.destIp(), a.destPort()));
        return b.toString();
    }

    /** Rule priority 1 (highest) .. 3 and below to syslog severity: 1 critical, 2 error, 3 warning, else notice. */
    static int severity(int priority) {
        return switch (priority) {
            case 1 -> 2;
            case 2 -> 3;
            case 3 -> 4;
            default -> priority < 1 ? 2 : 5;
        };
    }

    private static String endpoint(String ip, int port) {
        if (port == 0) return ip;
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }

    /** An SD-PARAM; RFC 5424 requires '"', '\' and ']' escaped in its value. */
    private static void param(StringBuilder b, String name, String value) {
        b.append(' ').append(name).append("=\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c == ']') b.append('\\');
            b.append(c);
        }
        b.append('"');
    }

    /** HOSTNAME and APP-NAME are printable US-ASCII without spaces; "-" when empty. */
    private static String printable(String s, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            if (c > 32 && c < 127) b.append(c);
        }
        return b.length() == 0 ? "-" : b.toString();
    }

    private static String localHostname() {
        try {
            return printable(InetAddress.getLocalHost().getHostName(), 255);
        } catch (UnknownHostException e) {
            return "-";
        }
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "syslog " + target.getHostString() + ":" + target.getPort() + " facility " + facility;
    }
}
