package io.herd.engine.bench;

import io.herd.engine.tensor.ArrayMath;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The grouped-query attention kernels of the forward pass for the query heads that share one KV head: scores
 * ({@link ArrayMath#groupAttentionScores}) and the weighted sum of values ({@link ArrayMath#groupWeightedSum}) over
 * 192 cached positions, head size 64, one position's keys 1 KiB after the previous one's (bench-1b's 4 KV heads x
 * 64), all in cache. {@code heads=1} runs the one-head kernels; {@code heads=8} (a 1B Llama's 32 query heads over 4 KV
 * heads) runs the two-head kernels where the CPU has 32 vector registers. Score: nanoseconds per call; divide by
 * {@code heads * 192} for a head and position.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class GroupedAttentionBenchmark {

    private static final int POSITIONS = 192;
    private static final int HEAD_SIZE = 64;
    private static final int KV_DIM = 256;

    @Param({"1", "8"})
    public int heads;

    private float[] query;
    private final float[] keys = new float[POSITIONS * KV_DIM];
    private final float[] values = new float[POSITIONS * KV_DIM];
    private final int[] offsets = new int[POSITIONS];
    /** Softmax weights for the weighted sum. */
    private float[] scores;
    private float[] scoresOut;
    private float[] out;

    @Setup
    public void setUp() {
        Random random = new Random(5);
        query = new float[heads * HEAD_SIZE];
        scores = new float[heads * POSITIONS];
        scoresOut = new float[heads * POSITIONS];
        out = new float[heads * HEAD_SIZE];
        for (int i = 0; i < query.length; i++) {
            query[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (float) random.nextGaussian();
            values[i] = (float) random.nextGaussian();
        }
        for (int t = 0; t < POSITIONS; t++) {
            offsets[t] = t * KV_DIM;
            scores[t] = random.nextFloat() / POSITIONS;
        }
        for (int j = 1; j < heads; j++) {
            System.arraycopy(scores, 0, scores, j * POSITIONS, POSITIONS);
        }
    }

    @Benchmark
    public float scores() {
        ArrayMath.groupAttentionScores(query, 0, heads, keys, offsets, 0, HEAD_SIZE, 0.125f, scoresOut, POSITIONS);
        return scoresOut[POSITIONS - 1];
    }

    @Benchmark
    public float weightedSum() {
        ArrayMath.groupWeightedSum(out, 0, heads, scores, values, offsets, 0, HEAD_SIZE, POSITIONS);
        return out[HEAD_SIZE - 1];
    }
}
