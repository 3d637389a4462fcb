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
 * Decoding one token through one full-size layer of a 1B Llama (width 2048, FFN 5632 with SwiGLU, 32 query / 8 KV
 * heads of 64) with {@code type} weights at position {@code positions - 1}: the whole per-layer step (RMSNorms,
 * Q/K/V/O projections, RoPE, attention, the gate/up/down projections and SwiGLU, the residual adds), plus a 32-word
 * classifier. SwiGLU and the RoPE angles are inlined in the forward pass, so this is where they are measured;
 * score minus the sum of the {@link io.herd.engine.bench.MatmulBenchmark} projections is what the non-matmul work
 * costs. Score: milliseconds per token and layer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@org.openjdk.jmh.annotations.State(Scope.Benchmark)
public class LayerBenchmark {

    @Param({"Q8_0", "Q4_0"})
    public GGMLType type;

    @Param({"512"})
    public int positions;

    @Param({"1"})
    public int threads;

    private Arena arena;
    private Llama model;
    private State state;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(13);
        arena = Arena.ofShared();
        Configuration config = new Configuration(2048, 5632, 1, 32, 8, 32, positions, 64, 1e-5f, 500000f, 1f);
        model = RandomLlama.create(config, type, KvCachePrecision.F16, Parallel.create(threads), arena, random);
        state = RandomLlama.stateWithCache(model, positions, random);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
        arena.close();
    }

    @Benchmark
    public float decodeLayer() {
        return model.forward(state, 1, positions - 1)[0];
    }
}
