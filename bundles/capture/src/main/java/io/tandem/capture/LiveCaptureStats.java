package io.tandem.capture;

/**
 * libpcap's counters for a live capture (pcap_stats), cumulative since it was opened, and what the source has
 * delivered. On Linux, {@code received} counts every frame that passed the filter, including the ones the kernel
 * then {@code dropped} because the capture buffer was full, so once the buffer is drained
 * {@code received == delivered + dropped}.
 *
 * @param received  frames that passed the filter (ps_recv)
 * @param dropped   frames dropped because the capture buffer was full (ps_drop): lost by this replica
 * @param ifDropped frames the interface or its driver dropped (ps_ifdrop); 0 where libpcap cannot tell
 * @param delivered frames the source has handed out ({@link LiveCaptureSource#next()} and
 *                  {@link LiveCaptureSource#nextBatch})
 */
public record LiveCaptureStats(long received, long dropped, long ifDropped, long delivered) {
    public static final LiveCaptureStats NONE = new LiveCaptureStats(0, 0, 0, 0);

    /** "received=… dropped=… ifdropped=… delivered=…". */
    @Override
    public String toString() {
        return "received=" + received + " dropped=" + dropped + " ifdropped=" + ifDropped + " delivered=" + delivered;
    }
}
