package io.tandem.api;

/**
 * Identity of an alert: which rule (gid, sid) fired on which packet of the aligned stream. The aligned stream is
 * identical at every replica and positions are never reused, so two replicas (or a re-analysis after rollback)
 * that raise the same rule on the same packet raise the same alert.
 */
public record AlertKey(int gid, long sid, long position) implements Comparable<AlertKey> {

    @Override
    public int compareTo(AlertKey o) {
        int c = Long.compare(position, o.position);
        if (c != 0) return c;
        c = Integer.compare(gid, o.gid);
        return c != 0 ? c : Long.compare(sid, o.sid);
    }

    /** "gid:sid@position", as written into outputs ({@code tandem.alert_id}) so a collector can dedupe too. */
    @Override
    public String toString() {
        return gid + ":" + sid + "@" + position;
    }
}
