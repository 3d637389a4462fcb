package io.herd.engine.tensor;

/**
 * The form a weight type wants its input vector in, as ggml's CPU backend does ({@code vec_dot_type}):
 * quantized weights meet 8-bit quantized activations, half-precision weights meet rounded ones.
 */
public enum ActivationFormat {
    /** Plain floats. */
    F32,
    /** Floats rounded to IEEE half precision. */
    F16,
    /** Floats rounded to bfloat16. */
    BF16,
    /** Blocks of 32 int8 with a half-precision scale {@code amax/127} (ggml block_q8_0). */
    Q8_0,
    /** Blocks of 256 int8 with a float scale and sums per 16 (ggml block_q8_K). */
    Q8_K
}
