package io.herd.engine.bench;

import io.herd.engine.gguf.GGMLType;
import io.herd.engine.tensor.FloatTensor;
import io.herd.engine.tensor.MatmulInput;
import io.herd.engine.tensor.Parallel;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The matrix-vector product of every weight type: one call of {@link FloatTensor#matmul} on a {@code rows x cols}
 * matrix (default 2048 x 2048, a 1B model's attention projection) in off-heap memory, as the forward pass issues it.
 * {@code batch} 1 is decoding (one input); {@code batch} 8 is the batched product of 8 different inputs that reads
 * each weight row once for all of them (prefill, continuous batching). Every call points the inputs at their
 * vectors anew, so the input's preparation (rounding or Q8_0/Q8_K quantization, see {@link OpsBenchmark}) is
 * included, as it is for every new token.
 *
 * <p>Score: microseconds per call (for batch 8: per 8 inputs). Weight-reading rate in GB/s = weight bytes per call /
 * (score x 1000); at 2048 x 2048 a call reads F32 16.78 MB, F16/BF16 8.39 MB, Q8_0 4.46 MB, Q4_0 and Q4_K 2.36 MB,
 * Q5_K 2.88 MB, Q6_K 3.44 MB ({@link GGMLType#byteSize}). (JMH's average-time mode would report an
 * {@code @AuxCounters} rate inverted, as time per byte, so the rate is left to this conversion.)
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class MatmulBenchmark {

    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    public GGMLType type;

    @Param({"1", "8"})
    public int batch;

    @Param({"1"})
    public int threads;

    @Param({"2048"})
    public int rows;

    @Param({"2048"})
    public int cols;

    private Arena arena;
    private Parallel pool;
    private FloatTensor weights;
    private float[][] vectors;
    private MatmulInput[] inputs;
    private float[][] outputs;
    private int[] outputOffsets;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(42);
        arena = Arena.ofShared();
        pool = Parallel.create(threads);
        long elements = (long) rows * cols;
        weights = RandomWeights.tensor(type, elements, arena, random);
        vectors = new float[batch][cols];
        inputs = new MatmulInput[batch];
        outputs = new float[batch][rows];
        outputOffsets = new int[batch];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < cols; i++) {
                vectors[b][i] = (float) random.nextGaussian();
            }
            inputs[b] = new MatmulInput();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float matmul() {
        if (batch == 1) {
            weights.matmul(inputs[0].set(vectors[0]), outputs[0], 0, rows, cols, pool);
        } else {
            for (int b = 0; b < batch; b++) {
                inputs[b].set(vectors[b]);
            }
            weights.matmul(inputs, batch, outputs, outputOffsets, rows, cols, pool);
        }
        return outputs[batch - 1][rows - 1];
    }
}
