package io.herd.gateway.safety;

import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The text of one streamed answer on its way through the output shields, shared by {@link ShieldedStream} (chat) and
 * {@link ShieldedCompletionStream} (text completions): generated text is held back, and a prefix of it is released
 * only after the shields passed everything up to it. A shield may redact what was passed; each release is the part of
 * the (redacted) text not sent before. Not thread-safe: one per stream.
 */
final class HeldBackText {

    /** What a check of the held-back text let out: a refusal (the stream must end) or the next delta (maybe empty). */
    record Release(String refusal, String delta) {

        boolean refused() {
            return refusal != null;
        }
    }

    private final Function<String, Mono<ShieldRunner.Verdict>> check;
    private final StreamWindow window;
    private final StringBuilder raw = new StringBuilder();
    private int releasedRaw;
    private String releasedOut = "";
    private boolean refused;

    HeldBackText(Function<String, Mono<ShieldRunner.Verdict>> check, StreamWindow window) {
        this.check = check;
        this.window = window;
    }

    void append(String text) {
        if (text != null) {
            raw.append(text);
        }
    }

    boolean refused() {
        return refused;
    }

    /**
     * Where the next release ends in the generated text, or -1 when nothing is to be checked yet: at the end of the
     * answer everything not yet released, otherwise the window's next cut.
     */
    int nextCut(boolean finish) {
        if (finish) {
            return raw.length() > releasedRaw ? raw.length() : -1;
        }
        return window.nextCut(raw, releasedRaw);
    }

    /** Checks the text up to {@code cut} and releases what passed (or refuses, for good). */
    Mono<Release> release(int cut) {
        String candidate = raw.substring(0, cut);
        return check.apply(candidate).map(verdict -> {
            if (verdict.blocks()) {
                refused = true;
                return new Release(verdict.blocking().userMessage(), null);
            }
            String out = verdict.redacted() != null && !verdict.redacted().isEmpty()
                    ? verdict.redacted().getLast().text() : candidate;
            String delta = out.length() > releasedOut.length() && out.startsWith(releasedOut)
                    ? out.substring(releasedOut.length()) : out.substring(Math.min(out.length(), releasedOut.length()));
            releasedRaw = cut;
            releasedOut = out;
            return new Release(null, delta);
        });
    }
}
