package io.tandem.api;

import java.util.Objects;

/**
 * An alert an analyzer raised on the aligned stream. Every replica analyzes the same stream, so the same alert is
 * raised at every replica (and again by re-analysis after a rollback); {@link #key()} is what makes them one.
 *
 * @param position        position in the aligned stream of the packet whose analysis raised it
 * @param timestampMicros that packet's capture time
 * @param gid             generator id (1 for rule alerts)
 * @param sid             signature id
 * @param rev             signature revision
 * @param signature       the rule's msg
 * @param category        the rule's classtype description, or "" when it has none
 * @param severity        priority (1 highest); 3 when the rule says nothing
 * @param proto           "TCP", "UDP", "ICMP", "IPv6-ICMP" or the IP protocol number
 * @param srcIp           source address as text ("" when the packet is not IP)
 * @param srcPort         source port, 0 when the protocol has none
 * @param destIp          destination address as text
 * @param destPort        destination port, 0 when the protocol has none
 * @param analyzer        name of the analyzer that raised it ("rules", "suricata", ...)
 */
public record Alert(long position, long timestampMicros, int gid, long sid, int rev, String signature, String category,
                    int severity, String proto, String srcIp, int srcPort, String destIp, int destPort, String analyzer) {
    public Alert {
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(proto, "proto");
        Objects.requireNonNull(srcIp, "srcIp");
        Objects.requireNonNull(destIp, "destIp");
        Objects.requireNonNull(analyzer, "analyzer");
        if (position < 0) throw new IllegalArgumentException("alert position " + position + " < 0");
    }

    /** The alert's identity across replicas and re-analysis: rule and position in the aligned stream. */
    public AlertKey key() {
        return new AlertKey(gid, sid, position);
    }
}
