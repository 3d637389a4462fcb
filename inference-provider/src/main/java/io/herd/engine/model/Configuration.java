package io.herd.engine.model;

/**
 * Hyper-parameters of a Llama-architecture model.
 *
 * @param ropeTheta          RoPE base frequency ({@code rope_freq_base})
 * @param ropePositionScale  linear RoPE scaling: positions are multiplied by this (1 = none)
 */
public record Configuration(
        int dim,
        int hiddenDim,
        int layers,
        int heads,
        int kvHeads,
        int vocabularySize,
        int contextLength,
        int headSize,
        float rmsEpsilon,
        float ropeTheta,
        float ropePositionScale) {

    public Configuration {
        require(dim > 0 && hiddenDim > 0 && layers > 0 && heads > 0 && kvHeads > 0 && vocabularySize > 0
                && contextLength > 0 && headSize > 0, "all sizes must be positive");
        require(heads % kvHeads == 0, "head count " + heads + " is not a multiple of the KV head count " + kvHeads);
        require(headSize % 2 == 0, "head size " + headSize + " must be even for RoPE");
        require(rmsEpsilon > 0, "RMS norm epsilon must be positive");
        require(ropeTheta > 0, "RoPE base must be positive");
    }

    /** Width of the key/value projections. */
    public int kvDim() {
        return kvHeads * headSize;
    }

    /** Width of the query projection (usually {@link #dim()}). */
    public int queryDim() {
        return heads * headSize;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("invalid model configuration: " + message);
        }
    }
}
