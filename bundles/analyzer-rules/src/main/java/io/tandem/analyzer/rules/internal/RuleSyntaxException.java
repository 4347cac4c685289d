package io.tandem.analyzer.rules.internal;

/** A rule the engine cannot load: the message is the one-line reason shown in the load report. */
public class RuleSyntaxException extends RuntimeException {
    private final boolean unsupported;

    public RuleSyntaxException(String message) {
        this(message, false);
    }

    public RuleSyntaxException(String message, boolean unsupported) {
        super(message, null, false, false);
        this.unsupported = unsupported;
    }

    public static RuleSyntaxException unsupported(String what) {
        return new RuleSyntaxException(what, true);
    }

    /** True when the rule is valid but uses something this engine does not implement. */
    public boolean unsupported() {
        return unsupported;
    }
}
