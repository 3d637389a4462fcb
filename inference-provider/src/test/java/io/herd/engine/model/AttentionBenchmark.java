package io.herd.engine.model;

import io.herd.engine.gguf.GGMLType;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Grouped-query attention of one new token over a KV cache of {@code positions} positions (32 query heads sharing
 * 8 KV heads, head size 64, as in a 1B Llama): scores, softmax and the weighted sum of values for every head, with
 * the engine's default fp16 rounding ({@code precision}). The attention is private to the forward pass, so this
 * decodes one token through a one-layer model whose other work is made tiny (model width 32, F32 weights): what
 * remains besides attention is the same at every cache length, and {@code positions=1} measures it, so
 * attention alone = score - score at positions=1. Score: microseconds per token and layer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@org.openjdk.jmh.annotations.State(Scope.Benchmark)
public class AttentionBenchmark {

    @Param({"1", "512", "2048"})
    public int positions;

    @Param({"F16"})
    public KvCachePrecision precision;

    @Param({"1"})
    public int threads;

    private Arena arena;
    private Llama model;
    private State state;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(11);
        arena = Arena.ofShared();
        Configuration config = new Configuration(32, 32, 1, 32, 8, 32, positions, 64, 1e-5f, 10000f, 1f);
        model = RandomLlama.create(config, GGMLType.F32, precision, Parallel.create(threads), arena, random);
        state = RandomLlama.stateWithCache(model, positions, random);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        state.close();
        model.close();
        arena.close();
    }

    /** The token at the last position attends to all {@code positions} (its own key and value included). */
    @Benchmark
    public float attention() {
        return model.forward(state, 1, positions - 1)[0];
    }
}
