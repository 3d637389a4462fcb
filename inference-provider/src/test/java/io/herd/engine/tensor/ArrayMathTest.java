package io.herd.engine.tensor;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The forward pass's elementwise operations against their definitions computed in double ({@link StrictMath}), and
 * their vector forms against the scalar ones: exp, softmax, SwiGLU, RMSNorm and RoPE.
 */
class ArrayMathTest {

    private final Random random = new Random(11);

    /** Distance in units in the last place of the float nearest to {@code expected}. */
    private static double ulps(float actual, double expected) {
        return Math.abs(actual - expected) / Math.ulp((float) expected);
    }

    @Test
    void expIsWithinTwoUlpsOfTheTrueValueAcrossTheNormalRange() {
        double worst = 0;
        for (int i = 0; i <= 2_000_000; i++) {
            float x = -87f + 175f * i / 2_000_000f;
            worst = Math.max(worst, ulps(ArrayMath.exp(x), StrictMath.exp(x)));
        }
        assertThat(worst).isLessThanOrEqualTo(2.0);
        assertThat(ArrayMath.exp(0f)).isEqualTo(1f);
        assertThat(ArrayMath.exp(1f)).isEqualTo((float) Math.E);
    }

    @Test
    void expSaturatesInsteadOfOverflowingAndKeepsNaN() {
        assertThat(ArrayMath.exp(-1000f)).isBetween(0f, 2e-38f);
        assertThat(ArrayMath.exp(Float.NEGATIVE_INFINITY)).isBetween(0f, 2e-38f);
        assertThat(ArrayMath.exp(1000f)).isGreaterThan(1e38f).isLessThan(Float.POSITIVE_INFINITY);
        assertThat(ArrayMath.exp(Float.NaN)).isNaN();
    }

    @Test
    void vectorExpGivesTheScalarBitsInEveryLane() {
        float[] x = new float[8];
        float[] out = new float[8];
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < 8; i++) {
                x[i] = (float) (random.nextGaussian() * (round % 2 == 0 ? 4 : 60));
            }
            VectorKernels.exp(FloatVector.fromArray(FloatVector.SPECIES_256, x, 0)).intoArray(out, 0);
            for (int i = 0; i < 8; i++) {
                assertThat(Float.floatToRawIntBits(out[i])).as("exp(%s)", x[i])
                        .isEqualTo(Float.floatToRawIntBits(ArrayMath.exp(x[i])));
            }
        }
    }

    @Test
    void swigluMatchesItsDefinitionAndTheScalarForm() {
        for (int n : new int[] {1, 7, 8, 9, 64, 101}) {
            float[] gate = new float[n];
            float[] up = new float[n];
            for (int i = 0; i < n; i++) {
                gate[i] = (float) (random.nextGaussian() * 6);
                up[i] = (float) random.nextGaussian();
            }
            float[] result = gate.clone();
            ArrayMath.swiglu(result, up, n);
            for (int i = 0; i < n; i++) {
                double g = gate[i];
                double expected = g / (1 + StrictMath.exp(-g)) * up[i];
                assertThat((double) result[i]).isCloseTo(expected, within(1e-6 * (1 + Math.abs(expected))));
                float scalar = gate[i] / (ArrayMath.exp(-gate[i]) + 1f) * up[i];
                assertThat(result[i]).isEqualTo(scalar);
            }
        }
    }

    @Test
    void softmaxMatchesItsDefinitionInDouble() {
        for (int n : new int[] {1, 3, 16, 17, 100, 257}) {
            float[] x = new float[n + 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (random.nextGaussian() * 5);
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 2; i < n + 2; i++) {
                max = Math.max(max, x[i]);
            }
            double sum = 0;
            for (int i = 2; i < n + 2; i++) {
                sum += StrictMath.exp(x[i] - max);
            }
            float[] y = x.clone();
            ArrayMath.softmax(y, 2, n);
            assertThat(y[0]).isEqualTo(x[0]);
            assertThat(y[1]).isEqualTo(x[1]);
            for (int i = 2; i < n + 2; i++) {
                assertThat((double) y[i]).isCloseTo(StrictMath.exp(x[i] - max) / sum, within(1e-6));
            }
        }
    }

    @Test
    void rmsNormMatchesItsDefinition() {
        for (int n : new int[] {4, 15, 16, 64, 2051}) {
            float[] x = new float[n];
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (random.nextGaussian() * 3);
                w[i] = (float) (1 + 0.1 * random.nextGaussian());
            }
            double squares = 0;
            for (float v : x) {
                squares += (double) v * v;
            }
            double inverseRms = 1 / Math.sqrt(squares / n + 1e-5);
            float[] out = new float[n];
            ArrayMath.rmsNorm(out, x, w, n, 1e-5f);
            for (int i = 0; i < n; i++) {
                double expected = w[i] * x[i] * inverseRms;
                assertThat((double) out[i]).isCloseTo(expected, within(1e-6 * (1 + Math.abs(expected))));
            }
        }
    }

    @Test
    void ropeRotatesEachPairOfEveryHeadByItsAngle() {
        int headSize = 64;
        int heads = 3;
        float[] cosines = new float[headSize];
        float[] signedSines = new float[headSize];
        double[] angles = new double[headSize / 2];
        for (int p = 0; p < headSize / 2; p++) {
            angles[p] = 37 * Math.pow(10000, -2.0 * p / headSize);
            cosines[2 * p] = (float) Math.cos(angles[p]);
            cosines[2 * p + 1] = cosines[2 * p];
            signedSines[2 * p] = -(float) Math.sin(angles[p]);
            signedSines[2 * p + 1] = (float) Math.sin(angles[p]);
        }
        float[] v = new float[5 + heads * headSize];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        float[] rotated = v.clone();
        ArrayMath.rotatePairs(rotated, 5, heads * headSize, cosines, signedSines);
        for (int h = 0; h < heads; h++) {
            for (int p = 0; p < headSize / 2; p++) {
                int at = 5 + h * headSize + 2 * p;
                float cos = cosines[2 * p];
                float sin = signedSines[2 * p + 1];
                // the textbook rotation, in the same float operations (so bit for bit)
                assertThat(rotated[at]).isEqualTo(v[at] * cos - v[at + 1] * sin);
                assertThat(rotated[at + 1]).isEqualTo(v[at] * sin + v[at + 1] * cos);
                double angle = angles[p];
                assertThat((double) rotated[at]).isCloseTo(v[at] * Math.cos(angle) - v[at + 1] * Math.sin(angle), within(1e-5));
            }
        }
        assertThat(rotated[4]).isEqualTo(v[4]);
    }

    @Test
    void attentionOverScatteredPositionsEqualsPerPositionDotsAndAddScaled() {
        for (int headSize : new int[] {8, 64, 96, 128}) {
            int n = 37;
            float[] keys = gaussians(random, (n + 3) * 2 * headSize);
            float[] values = gaussians(random, keys.length);
            int[] offsets = scatteredOffsets(n, headSize);
            float[] q = gaussians(random, 3 + headSize);
            int kvOffset = headSize;
            float[] scores = new float[n];
            ArrayMath.attentionScores(q, 3, keys, offsets, kvOffset, headSize, 0.125f, scores, n);
            float[] weights = new float[n];
            for (int t = 0; t < n; t++) {
                assertThat(scores[t]).isEqualTo(ArrayMath.dot(q, 3, keys, offsets[t] + kvOffset, headSize) * 0.125f);
                double exact = 0;
                for (int i = 0; i < headSize; i++) {
                    exact += (double) q[3 + i] * keys[offsets[t] + kvOffset + i];
                }
                assertThat((double) scores[t]).isCloseTo(exact * 0.125, within(1e-4 * (1 + Math.abs(exact))));
                weights[t] = random.nextFloat();
            }
            float[] fused = new float[2 + headSize];
            ArrayMath.weightedSum(fused, 2, weights, values, offsets, kvOffset, headSize, n);
            float[] stepwise = new float[2 + headSize];
            for (int t = 0; t < n; t++) {
                ArrayMath.addScaled(stepwise, 2, weights[t], values, offsets[t] + kvOffset, headSize);
            }
            assertThat(fused).containsExactly(stepwise);
        }
    }

    @Test
    void groupedQueryAttentionEqualsEachHeadOnItsOwn() {
        int heads = 3;
        for (int headSize : new int[] {8, 64, 96, 128}) {
            for (int n : new int[] {1, 5, 37, 70}) { // 70: more than one tile of positions, and a partial one
                float[] keys = gaussians(random, (n + 3) * 2 * headSize);
                float[] values = gaussians(random, keys.length);
                int[] offsets = scatteredOffsets(n, headSize);
                float[] q = gaussians(random, 1 + heads * headSize);
                float[] grouped = new float[heads * n];
                ArrayMath.groupAttentionScores(q, 1, heads, keys, offsets, headSize, headSize, 0.125f, grouped, n);
                float[] weights = new float[heads * n];
                for (int j = 0; j < heads; j++) {
                    float[] alone = new float[n];
                    ArrayMath.attentionScores(q, 1 + j * headSize, keys, offsets, headSize, headSize, 0.125f, alone, n);
                    assertThat(java.util.Arrays.copyOfRange(grouped, j * n, (j + 1) * n)).containsExactly(alone);
                    for (int t = 0; t < n; t++) {
                        weights[j * n + t] = random.nextFloat();
                    }
                }
                float[] out = new float[2 + heads * headSize];
                java.util.Arrays.fill(out, Float.NaN); // every output is written, none is read
                ArrayMath.groupWeightedSum(out, 2, heads, weights, values, offsets, headSize, headSize, n);
                for (int j = 0; j < heads; j++) {
                    float[] stepwise = new float[headSize];
                    for (int t = 0; t < n; t++) {
                        ArrayMath.addScaled(stepwise, 0, weights[j * n + t], values, offsets[t] + headSize, headSize);
                    }
                    assertThat(java.util.Arrays.copyOfRange(out, 2 + j * headSize, 2 + (j + 1) * headSize)).containsExactly(stepwise);
                }
            }
        }
    }

    private static float[] gaussians(Random random, int length) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** Where n positions of a paged KV cache sit (two KV heads per position): not contiguous, not in order. */
    private static int[] scatteredOffsets(int n, int headSize) {
        int[] offsets = new int[n];
        for (int t = 0; t < n; t++) {
            offsets[t] = ((t * 7) % (n + 3)) * 2 * headSize;
        }
        return offsets;
    }
}
