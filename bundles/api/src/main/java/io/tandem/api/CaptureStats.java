package io.tandem.api;

/**
 * Counters of one capture session. Every packet read from the source is either randomly dropped or handed to the
 * database ({@code seen = randomDropped + registered}); the database's own stats count what it dropped when full.
 *
 * @param seen          packets read from the source
 * @param randomDropped packets dropped on purpose by the random drop
 * @param registered    packets handed to the hash database
 * @param sourceDropped packets the source itself lost (libpcap/kernel drops of a live interface; 0 for files)
 * @param randomDrop    the random drop in force (thesis format, "0" when off)
 * @param ended         the source has ended (or failed)
 * @param error         why the source failed, or null
 */
public record CaptureStats(long seen, long randomDropped, long registered, long sourceDropped, String randomDrop,
                           boolean ended, String error) {
}
