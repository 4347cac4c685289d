package io.tandem.analyzer.pipe.internal;

import io.tandem.analyzer.pipe.PipeAnalyzer;
import io.tandem.analyzer.pipe.PipeSettings;
import io.tandem.api.Alert;
import io.tandem.api.AnalyzerSession;
import io.tandem.api.Packet;
import io.tandem.api.StreamInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Any program of the same shape: here a shell script that copies the pcap stream to a file and writes EVE lines
 * (some not JSON, some not alerts). Checks the pcap the pipe writes, byte for byte in what matters, and that bad
 * EVE lines are ignored.
 */
class GenericProgramTest {
    @TempDir
    Path tmp;

    @Test
    void pcapWrittenIsTheStreamAndBadEveLinesAreIgnored() throws Exception {
        Path script = tmp.resolve("ids.sh");
        Files.writeString(script, """
                set -e
                fifo="$1"; logdir="$2"; copy="$3"
                cat "$fifo" > "$copy"
                {
                  echo 'not json at all'
                  echo '{"event_type":"stats","stats":{}}'
                  echo '{"event_type":"alert","pcap_cnt":2,"timestamp":"2011-01-25T18:52:23.000001+0000","proto":"UDP","src_ip":"10.0.0.1","src_port":1,"dest_ip":"10.0.0.2","dest_port":53,"alert":{"gid":1,"signature_id":77,"rev":2,"signature":"two","category":"c","severity":2}}'
                  echo '{"event_type":"alert","pcap_cnt":99,"alert":{"signature_id":78}}'
                  printf '{"event_type":"alert","pcap_cnt":3,"alert":{"signature_id":79}}'
                } > "$logdir/eve.json"
                """);
        Path copy = tmp.resolve("copy.pcap");
        PipeAnalyzer analyzer = new PipeAnalyzer(PipeSettings.builder().name("shell-ids")
                .command("sh " + script + " {fifo} {logdir} {args}").args(List.of(copy.toString()))
                .rules(tmp.resolve("unused")).workDir(tmp.resolve("work")).build());
        List<Packet> packets = TestData.read(TestData.dataDir().resolve("pcaps/ordinary/ppa1e_dns.cap")).packets().subList(0, 10);
        byte[] big = new byte[PipeSession.SNAPLEN + 100];
        List<Packet> fed = new ArrayList<>(packets);
        fed.add(new Packet(1_600_000_000_123_456L, big.length + 5, big)); // cut to the snaplen, wire length kept
        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        try (AnalyzerSession s = analyzer.open(new StreamInfo("r1", 1, 10), alerts::add)) {
            for (int i = 0; i < fed.size(); i++) s.analyze(10 + i * 3L, fed.get(i));
            s.finish();
            assertEquals(10 + (fed.size() - 1) * 3L + 1, s.completed());
        }
        assertEquals(1, alerts.size(), "one usable alert (pcap_cnt 99 maps to no packet; a last line without newline is a partial write): " + alerts);
        Alert a = alerts.get(0);
        assertEquals(new Alert(13, 1295981543000001L, 1, 77, 2, "two", "c", 2, "UDP", "10.0.0.1", 1, "10.0.0.2", 53, "shell-ids"), a);

        TestData.Pcap back = TestData.read(copy);
        assertEquals(1, back.linkType());
        assertEquals(fed.size(), back.packets().size());
        for (int i = 0; i < packets.size(); i++) {
            assertEquals(packets.get(i).timestampMicros(), back.packets().get(i).timestampMicros());
            assertEquals(packets.get(i).wireLength(), back.packets().get(i).wireLength());
            assertArrayEquals(packets.get(i).data(), back.packets().get(i).data());
        }
        Packet cut = back.packets().get(packets.size());
        assertEquals(PipeSession.SNAPLEN, cut.data().length);
        assertEquals(big.length + 5, cut.wireLength());
        assertEquals(1_600_000_000_123_456L, cut.timestampMicros());
        byte[] header = java.util.Arrays.copyOf(Files.readAllBytes(copy), 24);
        assertArrayEquals(new byte[]{(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0}, header);
    }
}
