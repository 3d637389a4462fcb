package io.herd.safety.pii;

import java.util.Locale;

/** What the PII shield does with a category it finds. */
public enum PiiAction {
    /** Violation at level error: the request is refused. */
    BLOCK,
    /** The value is replaced by a placeholder and the redacted text is forwarded. */
    REDACT,
    /** Not checked. */
    ALLOW;

    public static PiiAction fromConfig(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PII action must be block, redact or allow; got '" + value + "'");
        }
    }
}
