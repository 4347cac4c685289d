package io.tandem.api;

import java.util.List;

/**
 * The leader's decision after the boot acks: the aligned stream starts at boot hash {@code index}
 * (the first of {@code l} consecutive boot packets every member holds), which becomes position {@code position}
 * (0 when a cluster boots). With {@code join}, the receiver joins a running cluster: {@code position} is that
 * packet's place in the cluster's aligned stream, everything before it counts as delivered, and the members agree
 * a new view with it.
 */
public record BootStart(int attempt, int index, List<String> members, long position, boolean join) {
}
