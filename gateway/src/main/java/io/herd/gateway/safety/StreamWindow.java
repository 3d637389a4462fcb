package io.herd.gateway.safety;

/**
 * When held-back streamed text may be checked and released: after {@code chars} new characters (Llama Stack's
 * guardrails use 200), or at the end of each sentence. Releases stop at a word boundary so a value such as an
 * e-mail address is never split across two windows.
 */
record StreamWindow(boolean bySentence, int chars) {

    StreamWindow {
        if (chars < 1) {
            throw new IllegalArgumentException("shield_policy.stream_window_chars must be positive");
        }
    }

    static StreamWindow of(String mode, int chars) {
        return switch (mode) {
            case "sentence" -> new StreamWindow(true, chars);
            case "chars" -> new StreamWindow(false, chars);
            default -> throw new IllegalArgumentException("shield_policy.stream_window must be 'chars' or 'sentence', got '" + mode + "'");
        };
    }

    /**
     * @param text     all text received so far
     * @param released how much of it was already released
     * @return the end of the next releasable window, or -1 to keep holding
     */
    int nextCut(CharSequence text, int released) {
        int pending = text.length() - released;
        if (pending <= 0) {
            return -1;
        }
        if (bySentence) {
            for (int i = text.length() - 1; i > released; i--) {
                char c = text.charAt(i);
                if ((c == ' ' || c == '\n') && isSentenceEnd(text.charAt(i - 1))) {
                    return i + 1;
                }
            }
            return pending >= chars * 4 ? lastWordBoundary(text, released) : -1;
        }
        return pending >= chars ? lastWordBoundary(text, released) : -1;
    }

    private static boolean isSentenceEnd(char c) {
        return c == '.' || c == '!' || c == '?' || c == '\n';
    }

    private static int lastWordBoundary(CharSequence text, int released) {
        for (int i = text.length() - 1; i > released; i--) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i + 1;
            }
        }
        return -1;
    }
}
