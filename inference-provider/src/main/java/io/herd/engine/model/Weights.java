package io.herd.engine.model;

import io.herd.engine.tensor.FloatTensor;

import java.util.List;

/**
 * The weights of a Llama model. Matrices are row-major {@code out x in} (ggml {@code ne0 = in});
 * norms are small and live on the heap.
 *
 * @param output           the classifier; the token embedding itself when embeddings are tied
 * @param ropeFrequencyFactors per rotated pair, the divisor of its frequency (Llama 3.1 {@code rope_freqs}); null if none
 */
public record Weights(
        FloatTensor tokenEmbedding,
        List<Layer> layers,
        float[] outputNorm,
        FloatTensor output,
        float[] ropeFrequencyFactors) {

    public record Layer(
            float[] attentionNorm,
            FloatTensor query,
            FloatTensor key,
            FloatTensor value,
            FloatTensor attentionOutput,
            float[] ffnNorm,
            FloatTensor ffnGate,
            FloatTensor ffnDown,
            FloatTensor ffnUp) {
    }
}
