package io.herd.safety.pii;

import java.util.List;

/** Replaces matched spans with their category placeholder, e.g. {@code [REDACTED_EMAIL]}. */
public final class PiiRedactor {

    private PiiRedactor() {
    }

    /** @param matches non-overlapping, in text order (as {@link PiiDetector#detect} returns them) */
    public static String redact(String text, List<PiiMatch> matches) {
        if (matches.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int cursor = 0;
        for (PiiMatch match : matches) {
            out.append(text, cursor, match.start()).append(match.category().placeholder());
            cursor = match.end();
        }
        return out.append(text, cursor, text.length()).toString();
    }
}
