package io.herd.engine.generate;

import java.util.List;
import java.util.Optional;

/**
 * A piece of generated text. {@code text} holds whole characters only and never any part of a stop
 * string; it may be empty on the last delta. {@code finishReason} is present on the last delta only.
 */
public record Delta(String text, List<TokenLogprob> logprobs, Optional<FinishReason> finishReason) {

    public Delta {
        logprobs = List.copyOf(logprobs);
    }

    public boolean isLast() {
        return finishReason.isPresent();
    }
}
