package io.tandem.analyzer.rules.internal;

import java.util.ArrayList;
import java.util.List;

/** Loaded rules split into the groups the inspector evaluates; immutable, shared by every session. */
public final class Detection {
    public final RuleGroup packetTcp, packetUdp, packetIcmp, packetOther, stream, httpRequest, httpResponse, dns, tls;
    public final int ruleCount;

    public Detection(List<Rule> rules) {
        ruleCount = rules.size();
        List<Rule> pt = new ArrayList<>(), pu = new ArrayList<>(), pi = new ArrayList<>(), po = new ArrayList<>();
        List<Rule> st = new ArrayList<>(), hq = new ArrayList<>(), hs = new ArrayList<>(), dn = new ArrayList<>(), tl = new ArrayList<>();
        for (Rule r : rules) {
            switch (r.context) {
                case PACKET -> {
                    switch (r.proto) {
                        case TCP, TCP_PKT -> pt.add(r);
                        case UDP -> pu.add(r);
                        case ICMP -> pi.add(r);
                        default -> { // ip: every packet
                            pt.add(r);
                            pu.add(r);
                            pi.add(r);
                            po.add(r);
                        }
                    }
                }
                case STREAM -> st.add(r);
                case HTTP_REQUEST -> hq.add(r);
                case HTTP_RESPONSE -> hs.add(r);
                case HTTP_ANY -> {
                    hq.add(r);
                    hs.add(r);
                }
                case DNS -> dn.add(r);
                case TLS -> tl.add(r);
            }
        }
        packetTcp = new RuleGroup(pt);
        packetUdp = new RuleGroup(pu);
        packetIcmp = new RuleGroup(pi);
        packetOther = new RuleGroup(po);
        stream = new RuleGroup(st);
        httpRequest = new RuleGroup(hq);
        httpResponse = new RuleGroup(hs);
        dns = new RuleGroup(dn);
        tls = new RuleGroup(tl);
    }

    public boolean needsHttp() {
        return !httpRequest.isEmpty() || !httpResponse.isEmpty();
    }
}
