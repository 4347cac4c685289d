package io.tandem.capture.internal;

import java.util.Map;

/**
 * The link types Tandem accepts, by the value written in a pcap file's global header (LINKTYPE_*). Analyzers
 * (Snort, Suricata) decode all of them; anything else would reach them as undecodable bytes.
 */
public final class LinkTypes {
    public static final int NULL = 0;
    public static final int EN10MB = 1;
    /** DLT_RAW as some writers put it in files; libpcap reports it for LINKTYPE_RAW too. */
    public static final int DLT_RAW = 12;
    public static final int RAW = 101;
    public static final int LINUX_SLL = 113;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(NULL, "NULL"), Map.entry(EN10MB, "EN10MB"), Map.entry(DLT_RAW, "RAW"), Map.entry(RAW, "RAW"),
            Map.entry(LINUX_SLL, "LINUX_SLL"), Map.entry(IPV4, "IPV4"), Map.entry(IPV6, "IPV6"),
            // common ones that are refused, so the error can name them
            Map.entry(6, "IEEE802"), Map.entry(9, "PPP"), Map.entry(10, "FDDI"), Map.entry(50, "PPP_HDLC"),
            Map.entry(51, "PPP_ETHER"), Map.entry(104, "C_HDLC"), Map.entry(105, "IEEE802_11"), Map.entry(108, "LOOP"),
            Map.entry(119, "PRISM_HEADER"), Map.entry(127, "IEEE802_11_RADIO"), Map.entry(192, "PPI"),
            Map.entry(195, "IEEE802_15_4"), Map.entry(197, "ERF"), Map.entry(220, "USB_LINUX_MMAPPED"),
            Map.entry(249, "USBPCAP"), Map.entry(252, "WIRESHARK_UPPER_PDU"), Map.entry(276, "LINUX_SLL2"));

    private LinkTypes() {
    }

    public static boolean supported(int linkType) {
        return switch (linkType) {
            case NULL, EN10MB, DLT_RAW, RAW, LINUX_SLL, IPV4, IPV6 -> true;
            default -> false;
        };
    }

    /** Same link layer: raw IP is written as 12 by some tools and 101 by others. */
    public static boolean same(int a, int b) {
        return canonical(a) == canonical(b);
    }

    private static int canonical(int linkType) {
        return linkType == DLT_RAW ? RAW : linkType;
    }

    /** "113 (LINUX_SLL)". */
    public static String describe(int linkType) {
        String name = NAMES.get(linkType);
        return linkType + " (" + (name == null ? "unknown" : name) + ")";
    }

    public static String supportedList() {
        return "0 NULL, 1 EN10MB, 12/101 RAW, 113 LINUX_SLL, 228 IPV4, 229 IPV6";
    }
}
