package io.herd.engine.generate;

import java.util.List;

/**
 * Log probability of a generated token under the model's raw distribution (log-softmax of the
 * logits, before penalties and temperature), with the most likely alternatives at that position.
 */
public record TokenLogprob(int token, String text, double logprob, List<Alternative> topLogprobs) {

    public TokenLogprob {
        topLogprobs = List.copyOf(topLogprobs);
    }

    public record Alternative(int token, String text, double logprob) {
    }
}
