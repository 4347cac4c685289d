package io.tandem.api;

import java.util.List;

/**
 * The leader's decision after the boot acks: the aligned stream starts at boot hash {@code index}
 * (the first of {@code l} consecutive boot packets every member holds).
 */
public record BootStart(int attempt, int index, List<String> members) {
}
