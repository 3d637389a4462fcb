package io.herd.engine.generate;

import java.util.List;

/** Everything a generation produced, for callers that do not stream. */
public record GenerationResult(String text, FinishReason finishReason, Usage usage, List<TokenLogprob> logprobs) {

    public GenerationResult {
        logprobs = List.copyOf(logprobs);
    }
}
