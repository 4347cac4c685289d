package io.tandem.analyzer.rules.internal;

import java.util.regex.Pattern;

/** One detection option inside a buffer, evaluated in rule order with a cursor (the end of the previous match). */
public sealed interface MatchOp permits MatchOp.Content, MatchOp.Pcre, MatchOp.IsDataAt, MatchOp.ByteTest, MatchOp.ByteJump, MatchOp.Size {

    /** content:"..." with its modifiers. Unset offset/depth/distance/within are {@link Integer#MIN_VALUE}. */
    final class Content implements MatchOp {
        public static final int UNSET = Integer.MIN_VALUE;
        public byte[] pattern;
        public boolean nocase, negated, startsWith, endsWith;
        public int offset = UNSET, depth = UNSET, distance = UNSET, within = UNSET;
        public boolean fastPattern, fastPatternOnly;
        public int fpOffset = -1, fpLength = -1;
        /** Set by a Snort-style modifier (http_uri...): this content only; else the sticky buffer in force. */
        public Buf modifierBuffer;

        public boolean relative() {
            return distance != UNSET || within != UNSET;
        }
    }

    /** pcre:"/.../flags" translated to java.util.regex. */
    record Pcre(Pattern pattern, boolean negated, boolean relative, boolean anchored, String source) implements MatchOp {
    }

    record IsDataAt(int offset, boolean relative, boolean negated) implements MatchOp {
    }

    /**
     * byte_test: reads {@code bytes} at offset (binary, or text in {@code base} when base > 0) and compares.
     * op is one of < > = <= >= & ^.
     */
    record ByteTest(int bytes, String op, boolean negated, long value, int offset, boolean relative, boolean little,
                    int base, long bitmask) implements MatchOp {
    }

    /** byte_jump: reads a number and moves the cursor by it. */
    record ByteJump(int bytes, int offset, boolean relative, long multiplier, boolean little, int base, boolean align,
                    boolean fromBeginning, boolean fromEnd, int postOffset, long bitmask) implements MatchOp {
    }

    /** bsize / urilen: the buffer's length. */
    record Size(NumRange range) implements MatchOp {
    }
}
