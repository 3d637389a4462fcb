package io.herd.engine.tensor;

/** Dense float-array helpers of the forward pass (attention, norms), vectorized when available. */
public final class ArrayMath {

    private ArrayMath() {
    }

    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        if (Kernels.VECTOR && n >= 16) {
            return VectorKernels.dot(a, aOffset, b, bOffset, n);
        }
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /**
     * Positions per tile of the grouped attention below: one KV head's keys (or values) for a tile, 8 KiB at head size
     * 64, stay in L1 while every query head that shares them reads them.
     */
    private static final int POSITION_TILE = 32;

    /**
     * Attention scores of one query head: {@code scores[t] = (q[qOffset, +headSize) . keys[offsets[t] + kvOffset, +headSize))
     * * scale} for {@code t < n}, each dot as {@link #dot} computes it.
     */
    public static void attentionScores(float[] q, int qOffset, float[] keys, int[] offsets, int kvOffset, int headSize,
                                       float scale, float[] scores, int n) {
        groupAttentionScores(q, qOffset, 1, keys, offsets, kvOffset, headSize, scale, scores, n);
    }

    /**
     * {@link #attentionScores} for the {@code heads} query heads that share one KV head (grouped-query attention), query
     * head j at {@code qOffset + j * headSize}, its scores at {@code scores[j * n ..]}. Tile by tile of positions, so
     * the keys come from memory once for all of them; each score is the same as one head at a time.
     */
    public static void groupAttentionScores(float[] q, int qOffset, int heads, float[] keys, int[] offsets, int kvOffset,
                                            int headSize, float scale, float[] scores, int n) {
        if (Kernels.VECTOR && headSize >= 16 && headSize % 16 == 0) {
            for (int from = 0; from < n; from += POSITION_TILE) {
                int to = Math.min(n, from + POSITION_TILE);
                int j = 0;
                for (; VectorKernels.TWO_HEADS && j + 2 <= heads; j += 2) {
                    VectorKernels.attentionScoresTwoHeads(q, qOffset + j * headSize, keys, offsets, from, to, kvOffset, headSize,
                            scale, scores, j * n, (j + 1) * n);
                }
                for (; j < heads; j++) {
                    VectorKernels.attentionScores(q, qOffset + j * headSize, keys, offsets, from, to, kvOffset, headSize,
                            scale, scores, j * n);
                }
            }
            return;
        }
        for (int j = 0; j < heads; j++) {
            for (int t = 0; t < n; t++) {
                scores[j * n + t] = dot(q, qOffset + j * headSize, keys, offsets[t] + kvOffset, headSize) * scale;
            }
        }
    }

    /**
     * {@code out[outOffset, +headSize) = sum over t < n of weights[t] * values[offsets[t] + kvOffset, +headSize)}: the same
     * result as zeroing {@code out} and calling {@link #addScaled} for each position in order, without storing
     * {@code out} between positions.
     */
    public static void weightedSum(float[] out, int outOffset, float[] weights, float[] values, int[] offsets, int kvOffset,
                                   int headSize, int n) {
        groupWeightedSum(out, outOffset, 1, weights, values, offsets, kvOffset, headSize, n);
    }

    /**
     * {@link #weightedSum} for the {@code heads} query heads that share one KV head: head j's weights at
     * {@code weights[j * n ..]}, its output at {@code out[outOffset + j * headSize ..]}. With 64-column chunks, tile by
     * tile of positions (each column's sum still runs over the positions in order), so the values come from memory
     * once for all the heads.
     */
    public static void groupWeightedSum(float[] out, int outOffset, int heads, float[] weights, float[] values, int[] offsets,
                                        int kvOffset, int headSize, int n) {
        if (Kernels.VECTOR && headSize % 64 == 0) {
            for (int from = 0; from < n; from += POSITION_TILE) {
                int to = Math.min(n, from + POSITION_TILE);
                int j = 0;
                for (; VectorKernels.TWO_HEADS && j + 2 <= heads; j += 2) {
                    for (int c = 0; c < headSize; c += 64) {
                        VectorKernels.weightedSum64TwoHeads(out, outOffset + j * headSize + c, outOffset + (j + 1) * headSize + c,
                                weights, j * n, (j + 1) * n, values, offsets, from, to, kvOffset + c, from == 0);
                    }
                }
                for (; j < heads; j++) {
                    for (int c = 0; c < headSize; c += 64) {
                        VectorKernels.weightedSum64(out, outOffset + j * headSize + c, weights, j * n, values, offsets, from, to,
                                kvOffset + c, from == 0);
                    }
                }
            }
            if (n == 0) {
                java.util.Arrays.fill(out, outOffset, outOffset + heads * headSize, 0f);
            }
            return;
        }
        for (int j = 0; j < heads; j++) {
            int at = outOffset + j * headSize;
            if (Kernels.VECTOR && headSize >= 16 && headSize % 32 == 0) {
                for (int c = 0; c < headSize; c += 32) {
                    VectorKernels.weightedSum32(out, at + c, weights, j * n, values, offsets, kvOffset + c, n);
                }
                continue;
            }
            java.util.Arrays.fill(out, at, at + headSize, 0f);
            for (int t = 0; t < n; t++) {
                addScaled(out, at, weights[j * n + t], values, offsets[t] + kvOffset, headSize);
            }
        }
    }

    /** {@code y[yOffset + i] += a * x[xOffset + i]}. */
    public static void addScaled(float[] y, int yOffset, float a, float[] x, int xOffset, int n) {
        if (Kernels.VECTOR && n >= 16) {
            VectorKernels.addScaled(y, yOffset, a, x, xOffset, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            y[yOffset + i] += a * x[xOffset + i];
        }
    }

    /** {@code out = weight * x / rms(x)}, the mean of squares accumulated in double as ggml does. */
    public static void rmsNorm(float[] out, float[] x, float[] weight, int n, float epsilon) {
        double sumOfSquares;
        if (Kernels.VECTOR && n >= 16) {
            sumOfSquares = VectorKernels.sumOfSquares(x, n);
        } else {
            sumOfSquares = 0;
            for (int i = 0; i < n; i++) {
                sumOfSquares += (double) x[i] * x[i];
            }
        }
        float mean = (float) (sumOfSquares / n);
        float scale = 1f / (float) Math.sqrt(mean + epsilon);
        int i = Kernels.VECTOR ? VectorKernels.scaleByWeight(out, x, weight, scale, n) : 0;
        for (; i < n; i++) {
            out[i] = weight[i] * (scale * x[i]);
        }
    }

    /** In-place softmax of {@code x[offset, offset+n)}. */
    public static void softmax(float[] x, int offset, int n) {
        if (Kernels.VECTOR && n >= 16) {
            float max = VectorKernels.max(x, offset, n);
            int whole = n - n % 8;
            float sum = VectorKernels.expShifted(x, offset, whole, max);
            for (int i = whole; i < n; i++) {
                float e = exp(x[offset + i] - max);
                x[offset + i] = e;
                sum += e;
            }
            VectorKernels.scale(x, offset, n, 1f / sum);
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[offset + i]);
        }
        float sum = 0;
        for (int i = 0; i < n; i++) {
            float e = exp(x[offset + i] - max);
            x[offset + i] = e;
            sum += e;
        }
        float inverse = 1f / sum;
        for (int i = 0; i < n; i++) {
            x[offset + i] *= inverse;
        }
    }

    /** SwiGLU's gating: {@code gate[i] = silu(gate[i]) * up[i] = gate[i] / (1 + e^-gate[i]) * up[i]} for {@code [0, n)}. */
    public static void swiglu(float[] gate, float[] up, int n) {
        int i = Kernels.VECTOR ? VectorKernels.swiglu(gate, up, n) : 0;
        for (; i < n; i++) {
            float g = gate[i];
            gate[i] = g / (exp(-g) + 1f) * up[i];
        }
    }

    /**
     * RoPE on consecutive pairs of {@code v[offset, offset+n)}: pair {@code (a, b)} at index {@code 2k} (counted within
     * each head, the tables' length) becomes {@code (a cos - b sin, a sin + b cos)}, with {@code cosines = (c0, c0, c1,
     * c1, ...)} and {@code signedSines = (-s0, s0, -s1, s1, ...)}.
     */
    public static void rotatePairs(float[] v, int offset, int n, float[] cosines, float[] signedSines) {
        int period = cosines.length;
        if (Kernels.VECTOR && period % 8 == 0) {
            VectorKernels.rotatePairs(v, offset, n, cosines, signedSines);
            return;
        }
        for (int i = 0; i < n; i += 2) {
            int t = i % period;
            float a = v[offset + i];
            float b = v[offset + i + 1];
            v[offset + i] = a * cosines[t] + b * signedSines[t];
            v[offset + i + 1] = b * cosines[t + 1] + a * signedSines[t + 1];
        }
    }

    // e^x as Cephes' expf: x = n ln2 + r with |r| <= ln2/2 (ln2 split in two for an exact n ln2), e^r by a degree-7
    // polynomial, 2^n built in the exponent bits. About 1 ulp; arguments are clamped to where 2^n is a normal float.
    static final float EXP_LOWEST = -87.33654f;
    static final float EXP_HIGHEST = 88.37626f;
    static final float LOG2_E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer, kept in the low mantissa bits. */
    static final float ROUNDING_SHIFT = 12582912f;
    static final int ROUNDING_SHIFT_BITS = 0x4B400000;
    static final float LN2_HIGH = 0.693359375f;
    static final float LN2_LOW = -2.12194440e-4f;
    static final float EXP_P0 = 1.9875691500e-4f;
    static final float EXP_P1 = 1.3981999507e-3f;
    static final float EXP_P2 = 8.3334519073e-3f;
    static final float EXP_P3 = 4.1665795894e-2f;
    static final float EXP_P4 = 1.6666665459e-1f;
    static final float EXP_P5 = 5.0000001201e-1f;

    /** {@code e^x}, bit for bit what the vector kernels compute per lane (see the constants above). */
    public static float exp(float x) {
        float clamped = Math.min(Math.max(x, EXP_LOWEST), EXP_HIGHEST);
        float shifted = Math.fma(clamped, LOG2_E, ROUNDING_SHIFT);
        float n = shifted - ROUNDING_SHIFT;
        float r = Math.fma(n, -LN2_HIGH, clamped);
        r = Math.fma(n, -LN2_LOW, r);
        float p = Math.fma(r, EXP_P0, EXP_P1);
        p = Math.fma(p, r, EXP_P2);
        p = Math.fma(p, r, EXP_P3);
        p = Math.fma(p, r, EXP_P4);
        p = Math.fma(p, r, EXP_P5);
        float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat((Float.floatToRawIntBits(shifted) + (127 - ROUNDING_SHIFT_BITS)) << 23);
    }
}
