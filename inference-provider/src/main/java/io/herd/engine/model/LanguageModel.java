package io.herd.engine.model;

import io.herd.engine.tokenizer.Tokenizer;

import java.util.Optional;

/**
 * A loaded causal language model: what generation, chat formatting and the providers need,
 * whatever file format and backend it came from.
 */
public interface LanguageModel extends AutoCloseable {

    /** Short name, e.g. the GGUF {@code general.name} or the file name. */
    String name();

    int vocabularySize();

    /** Largest context the model was trained for. */
    int maxContextLength();

    Tokenizer tokenizer();

    /** The Jinja chat template from the model file, when it carries one. */
    Optional<String> chatTemplate();

    /** A fresh state whose KV cache holds {@code contextLength} positions. */
    ModelState newState(int contextLength);

    /**
     * Runs one token at {@code position} and returns the logits over the vocabulary.
     * The array belongs to the state and is overwritten by the next call.
     */
    float[] forward(ModelState state, int token, int position);

    /**
     * Feeds {@code tokens} at positions {@code startPosition...} and returns the logits after the
     * last one (owned by the state). Implementations batch this; the default runs token by token.
     */
    default float[] prefill(ModelState state, int[] tokens, int startPosition) {
        float[] logits = null;
        for (int i = 0; i < tokens.length; i++) {
            logits = forward(state, tokens[i], startPosition + i);
        }
        return logits;
    }

    @Override
    default void close() {
    }
}
