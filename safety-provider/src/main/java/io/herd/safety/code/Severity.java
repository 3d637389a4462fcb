package io.herd.safety.code;

import java.util.Locale;

/** How bad an insecure-code finding is, in increasing order. */
public enum Severity {
    LOW, MEDIUM, HIGH, CRITICAL;

    public static Severity fromConfig(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("severity must be low, medium, high or critical; got '" + value + "'");
        }
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
