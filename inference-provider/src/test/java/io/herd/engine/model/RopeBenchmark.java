package io.herd.engine.model;

import io.herd.engine.tensor.ArrayMath;

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

import io.herd.engine.tensor.ArrayMath;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Rotary position embedding of one token in one layer of a 1B Llama: the 32 query heads and the 8 key heads of
 * head size 64 rotated by {@link ArrayMath#rotatePairs} with the token's cosines and sines (computed once per token and
 * position by the forward pass, outside this measurement). Score: nanoseconds per token and layer, one thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class RopeBenchmark {

    private static final int HEADS = 32;
    private static final int KV_HEADS = 8;
    private static final int HEAD_SIZE = 64;

    private final float[] query = new float[HEADS * HEAD_SIZE];
    private final float[] key = new float[KV_HEADS * HEAD_SIZE];
    private final float[] cosines = new float[HEAD_SIZE];
    private final float[] signedSines = new float[HEAD_SIZE];

    @Setup
    public void setUp() {
        Random random = new Random(3);
        for (int i = 0; i < query.length; i++) {
            query[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < key.length; i++) {
            key[i] = (float) random.nextGaussian();
        }
        int position = 100;
        for (int i = 0; i < HEAD_SIZE / 2; i++) {
            double angle = position * Math.pow(10000, -2.0 * i / HEAD_SIZE);
            cosines[2 * i] = (float) Math.cos(angle);
            cosines[2 * i + 1] = cosines[2 * i];
            signedSines[2 * i] = -(float) Math.sin(angle);
            signedSines[2 * i + 1] = (float) Math.sin(angle);
        }
    }

    @Benchmark
    public float rope() {
        ArrayMath.rotatePairs(query, 0, HEADS * HEAD_SIZE, cosines, signedSines);
        ArrayMath.rotatePairs(key, 0, KV_HEADS * HEAD_SIZE, cosines, signedSines);
        return query[0] + key[0];
    }
}
