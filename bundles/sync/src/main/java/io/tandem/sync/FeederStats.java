package io.tandem.sync;

/**
 * @param analyzer      name of the analyzer fed now ("" while none)
 * @param state         what the feeder does: waiting for an analyzer, analyzing, restarting: why, finished...
 * @param offered       packets the sync engine delivered to the feeder
 * @param droppedFull   of those, dropped because the queue was full (the analyzer never saw them)
 * @param analyzed      packets handed to an analyzer (a packet replayed after a restart counts again)
 * @param restarts      analyzer sessions that failed and were reopened
 * @param skipped       packets skipped because the analyzer failed on each of them several times in a row
 * @param alertsRaised  alerts the analyzer raised
 * @param completed     every packet below this position was analyzed and its alerts raised
 * @param queued        packets in the queue (not yet completed)
 * @param capacity      packets the queue holds at most
 * @param bytes         captured bytes in the queue
 * @param byteLimit     captured bytes the queue holds at most
 */
public record FeederStats(String analyzer, String state, long offered, long droppedFull, long analyzed, long restarts, long skipped, long alertsRaised,
                          long completed, int queued, int capacity, long bytes, long byteLimit) {
}
