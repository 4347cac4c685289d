package io.tandem.analyzer.rules.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Rules evaluated in one place (a context, and for packet rules a transport protocol), with one prefilter per buffer
 * over the rules' fast patterns. A rule is a candidate when its fast pattern occurs in its buffer; rules without
 * content are always candidates. Candidates are evaluated in a fixed order — rules setting flowbits first, then load
 * order — so that every replica raises the same alerts.
 */
public final class RuleGroup {
    public final Rule[] rules;
    /** Rules (indexes into {@link #rules}) that are candidates whatever the buffers hold. */
    final int[] always;
    final Map<Buf, AhoCorasick> prefilters = new EnumMap<>(Buf.class);
    /** Per buffer: pattern id -> rule indexes with that fast pattern. */
    final Map<Buf, int[][]> patternRules = new EnumMap<>(Buf.class);

    public RuleGroup(List<Rule> members) {
        List<Rule> sorted = new ArrayList<>(members);
        sorted.sort(Comparator.comparing((Rule r) -> !r.setsFlowbits()).thenComparingInt(r -> r.index));
        rules = sorted.toArray(new Rule[0]);
        for (int i = 0; i < rules.length; i++) positions.put(rules[i], i);
        List<Integer> alw = new ArrayList<>();
        Map<Buf, Map<String, List<Integer>>> byBuf = new EnumMap<>(Buf.class);
        for (int i = 0; i < rules.length; i++) {
            Rule r = rules[i];
            if (r.fastPattern == null) {
                alw.add(i);
                continue;
            }
            byBuf.computeIfAbsent(r.fastPatternBuffer, k -> new java.util.LinkedHashMap<>())
                    .computeIfAbsent(new String(r.fastPattern, java.nio.charset.StandardCharsets.ISO_8859_1), k -> new ArrayList<>()).add(i);
        }
        always = alw.stream().mapToInt(Integer::intValue).toArray();
        for (Map.Entry<Buf, Map<String, List<Integer>>> e : byBuf.entrySet()) {
            List<byte[]> patterns = new ArrayList<>();
            int[][] owners = new int[e.getValue().size()][];
            int id = 0;
            for (Map.Entry<String, List<Integer>> p : e.getValue().entrySet()) {
                patterns.add(p.getKey().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                owners[id++] = p.getValue().stream().mapToInt(Integer::intValue).toArray();
            }
            prefilters.put(e.getKey(), new AhoCorasick(patterns));
            patternRules.put(e.getKey(), owners);
            patternLists.put(e.getKey(), patterns);
        }
        for (Buf[] pair : SAME_BYTES) {
            if (!prefilters.containsKey(pair[0]) || !prefilters.containsKey(pair[1])) continue;
            List<byte[]> patterns = new ArrayList<>(patternLists.get(pair[0]));
            patterns.addAll(patternLists.get(pair[1]));
            List<int[]> owners = new ArrayList<>(Arrays.asList(patternRules.get(pair[0])));
            owners.addAll(Arrays.asList(patternRules.get(pair[1])));
            merged.add(new Merged(pair[0], pair[1], new AhoCorasick(patterns), owners.toArray(new int[0][])));
        }
        patternLists.clear();
    }

    private final Map<Buf, List<byte[]>> patternLists = new EnumMap<>(Buf.class);

    /** Buffers an HTTP message often cuts from the very same bytes (its body). */
    private static final Buf[][] SAME_BYTES = {{Buf.FILE_DATA, Buf.HTTP_RESPONSE_BODY}, {Buf.FILE_DATA, Buf.HTTP_CLIENT_BODY}};

    /** One prefilter over the patterns of two buffers, for a message where both are the same bytes: one scan, not two. */
    record Merged(Buf a, Buf b, AhoCorasick prefilter, int[][] owners) {
    }

    final List<Merged> merged = new ArrayList<>();

    /** Adds the rules whose fast pattern (in buffer a or b of m) occurs in buf, the bytes of both buffers. */
    void scan(Merged m, byte[] buf, Candidates out) {
        out.beginScan(m.owners.length);
        m.prefilter.scan(buf, 0, buf.length, out);
        for (int k = 0; k < out.seenCount; k++) out.addAll(m.owners[out.seen[k]]);
    }

    /** Rule -> its index in {@link #rules}; built once, read by every session. */
    private final java.util.IdentityHashMap<Rule, Integer> positions = new java.util.IdentityHashMap<>();

    int positionOf(Rule r) {
        return positions.get(r);
    }

    public boolean isEmpty() {
        return rules.length == 0;
    }

    /** Collects candidate rule indexes without duplicates; reusable across packets of one session. */
    public static final class Candidates implements AhoCorasick.Hit {
        private int[] stamp = new int[0];
        private int generation;
        int[] list = new int[64];
        int size;

        void begin(int ruleCount) {
            if (stamp.length < ruleCount) stamp = new int[ruleCount];
            if (++generation == 0) {
                Arrays.fill(stamp, 0);
                generation = 1;
            }
            size = 0;
        }

        void add(int rule) {
            if (stamp[rule] == generation) return;
            stamp[rule] = generation;
            if (size == list.length) list = Arrays.copyOf(list, size * 2);
            list[size++] = rule;
        }

        void addAll(int[] rules) {
            for (int r : rules) add(r);
        }

        // patterns already reported in the current scan: a pattern occurring again adds nothing new
        private int[] patternStamp = new int[0];
        private int patternGeneration;
        /** Per pattern seen in the current scan: where its last occurrence ends; and the patterns seen, in order. */
        int[] patternEnd = new int[0];
        int[] seen = new int[16];
        int seenCount;

        void beginScan(int patterns) {
            if (patternStamp.length < patterns) {
                patternStamp = new int[patterns];
                patternEnd = new int[patterns];
            }
            if (++patternGeneration == 0) {
                Arrays.fill(patternStamp, 0);
                patternGeneration = 1;
            }
            seenCount = 0;
        }

        /** @return true the first time pattern id is seen in this scan */
        boolean firstHit(int id, int end) {
            patternEnd[id] = end;
            if (patternStamp[id] == patternGeneration) return false;
            patternStamp[id] = patternGeneration;
            if (seenCount == seen.length) seen = Arrays.copyOf(seen, seenCount * 2);
            seen[seenCount++] = id;
            return true;
        }

        @Override
        public void hit(int patternId, int end) {
            firstHit(patternId, end);
        }

        /** Evaluation order is rule order: sort what the prefilter found. */
        void sort() {
            Arrays.sort(list, 0, size);
        }
    }

    /** Adds the rules whose fast pattern (in buffer {@code b}) occurs in buf[from, to). */
    void scan(Buf b, byte[] buf, int from, int to, Candidates out) {
        AhoCorasick ac = prefilters.get(b);
        if (ac == null) return;
        int[][] owners = patternRules.get(b);
        out.beginScan(owners.length);
        ac.scan(buf, from, to, out);
        for (int k = 0; k < out.seenCount; k++) out.addAll(owners[out.seen[k]]);
    }
}
