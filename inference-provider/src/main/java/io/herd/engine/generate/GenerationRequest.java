package io.herd.engine.generate;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * What to generate from.
 *
 * @param promptTokens       the prompt, already tokenized (including BOS where the model wants it)
 * @param sampling           sampling and stopping parameters
 * @param extraStopTokens    stop tokens beyond the tokenizer's own and {@code sampling.stopTokenIds()},
 *                           e.g. a chat format's end-of-turn tokens
 * @param renderSpecialTokens whether special tokens that do not stop generation (e.g. {@code <|python_tag|>})
 *                           appear as their text in the output; chat formats need them to spot tool calls
 * @param contextLength      context to use, at most the model's; 0 means the model's maximum
 */
public record GenerationRequest(int[] promptTokens, SamplingParameters sampling, Set<Integer> extraStopTokens,
                                boolean renderSpecialTokens, int contextLength) {

    public GenerationRequest {
        Objects.requireNonNull(promptTokens, "promptTokens");
        Objects.requireNonNull(sampling, "sampling");
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("promptTokens must not be empty: a generation needs at least one token to start from");
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength must be 0 (model maximum) or positive, was " + contextLength);
        }
        promptTokens = promptTokens.clone();
        extraStopTokens = Set.copyOf(Objects.requireNonNullElse(extraStopTokens, Set.of()));
    }

    public static GenerationRequest of(int[] promptTokens, SamplingParameters sampling) {
        return new GenerationRequest(promptTokens, sampling, Set.of(), false, 0);
    }

    public GenerationRequest withExtraStopTokens(Set<Integer> stopTokens) {
        return new GenerationRequest(promptTokens, sampling, stopTokens, renderSpecialTokens, contextLength);
    }

    public GenerationRequest withRenderSpecialTokens(boolean render) {
        return new GenerationRequest(promptTokens, sampling, extraStopTokens, render, contextLength);
    }

    public GenerationRequest withContextLength(int length) {
        return new GenerationRequest(promptTokens, sampling, extraStopTokens, renderSpecialTokens, length);
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationRequest other
                && Arrays.equals(promptTokens, other.promptTokens)
                && sampling.equals(other.sampling)
                && extraStopTokens.equals(other.extraStopTokens)
                && renderSpecialTokens == other.renderSpecialTokens
                && contextLength == other.contextLength;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(promptTokens), sampling, extraStopTokens, renderSpecialTokens, contextLength);
    }

    @Override
    public String toString() {
        return "GenerationRequest[promptTokens=" + promptTokens.length + " tokens, sampling=" + sampling
                + ", extraStopTokens=" + extraStopTokens + ", renderSpecialTokens=" + renderSpecialTokens
                + ", contextLength=" + contextLength + "]";
    }
}
