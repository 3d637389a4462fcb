package io.herd.engine.bench;

import io.herd.engine.tensor.ActivationFormat;
import io.herd.engine.tensor.ArrayMath;
import io.herd.engine.tensor.MatmulInput;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The vector operations of the forward pass besides the matmuls, at the sizes of a 1B Llama (dim 2048, FFN 5632,
 * head size 64): RMSNorm, softmax, SwiGLU's gating (FFN 5632), the preparation of a matmul input (quantization to Q8_0 for Q8_0/Q4_0 weights,
 * to Q8_K for the K-quants, rounding to fp16 for F16 weights) and the two per-position kernels of attention (dot
 * product of query and key, value accumulation). Attention as a whole, RoPE and the whole layer are in
 * {@code io.herd.engine.model}'s benchmarks. Score: nanoseconds per call, one thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class OpsBenchmark {

    private static final int DIM = 2048;
    private static final int FFN = 5632;
    private static final int HEAD_SIZE = 64;
    private static final float RMS_EPSILON = 1e-5f;

    private final float[] x = new float[DIM];
    private final float[] normWeight = new float[DIM];
    private final float[] normalized = new float[DIM];
    private final float[] scores = new float[DIM];
    private final float[] softmaxed = new float[DIM];
    private final float[] query = new float[HEAD_SIZE];
    private final float[] key = new float[HEAD_SIZE];
    private final float[] accumulated = new float[HEAD_SIZE];
    private final MatmulInput input = new MatmulInput();
    private final float[] gate = new float[FFN];
    private final float[] up = new float[FFN];
    private final float[] gated = new float[FFN];

    @Setup
    public void setUp() {
        Random random = new Random(7);
        for (int i = 0; i < DIM; i++) {
            x[i] = (float) random.nextGaussian();
            normWeight[i] = 1 + 0.1f * (float) random.nextGaussian();
            scores[i] = 4 * (float) random.nextGaussian();
        }
        for (int i = 0; i < FFN; i++) {
            gate[i] = 3 * (float) random.nextGaussian();
            up[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < HEAD_SIZE; i++) {
            query[i] = (float) random.nextGaussian();
            key[i] = (float) random.nextGaussian();
        }
    }

    /** RMSNorm of a 2048-wide activation (twice per layer and once before the classifier). */
    @Benchmark
    public float rmsNorm() {
        ArrayMath.rmsNorm(normalized, x, normWeight, DIM, RMS_EPSILON);
        return normalized[DIM - 1];
    }

    /** Softmax over 2048 attention scores (one head, one query, 2048 positions); includes an 8 KB copy of the scores. */
    @Benchmark
    public float softmax() {
        System.arraycopy(scores, 0, softmaxed, 0, DIM);
        ArrayMath.softmax(softmaxed, 0, DIM);
        return softmaxed[DIM - 1];
    }

    /** Quantization of a 2048-wide input to Q8_0 blocks with all the forms the Q8_0/Q4_0 kernels read. */
    @Benchmark
    public float quantizeQ8_0() {
        return input.set(x).q8Scales()[0];
    }

    /** Quantization of a 2048-wide input to Q8_K super-blocks (the input of the Q4_K/Q5_K/Q6_K kernels). */
    @Benchmark
    public float quantizeQ8_K() {
        return input.set(x).qKScales()[0];
    }

    /** Rounding of a 2048-wide input to fp16 (the input of the F16 kernel). */
    @Benchmark
    public float roundToF16() {
        return input.set(x).rounded(ActivationFormat.F16)[DIM - 1];
    }

    /** Query-key dot product of one head at one position (head size 64). */
    @Benchmark
    public float attentionDot() {
        return ArrayMath.dot(query, 0, key, 0, HEAD_SIZE);
    }

    /** Accumulation of one position's value vector into a head's output (head size 64). */
    @Benchmark
    public float attentionAddScaled() {
        ArrayMath.addScaled(accumulated, 0, 1e-3f, key, 0, HEAD_SIZE);
        return accumulated[0];
    }

    /** SwiGLU's gating of a 5632-wide FFN activation, silu(gate) * up; includes a 22 KB copy of the gate. */
    @Benchmark
    public float swiglu() {
        System.arraycopy(gate, 0, gated, 0, FFN);
        ArrayMath.swiglu(gated, up, FFN);
        return gated[FFN - 1];
    }
}
