package io.herd.engine.bench;

import io.herd.engine.gguf.GGMLType;
import io.herd.engine.tensor.FloatTensor;
import io.herd.engine.tensor.MatmulInput;
import io.herd.engine.tensor.Parallel;

import java.lang.foreign.Arena;
import java.util.Locale;
import java.util.Random;

/**
 * Matrix-vector speed of each weight kernel on a {@code rows x cols} matrix (default 5632 x 2048, a
 * TinyLlama FFN projection), weights in off-heap memory like a mapped file. Prints weight GB/s and time
 * per call after warm-up: a quick look; {@link MatmulBenchmark} (JMH) is the standard measurement. Usage:
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * io.herd.engine.bench.KernelBenchmark [threads=1] [rows] [cols] [types...]}
 */
public final class KernelBenchmark {

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 5632;
        int cols = args.length > 2 ? Integer.parseInt(args[2]) : 2048;
        String[] types = args.length > 3 ? java.util.Arrays.copyOfRange(args, 3, args.length)
                : new String[] {"F32", "BF16", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"};
        Random random = new Random(1);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] out = new float[rows];
        try (Parallel pool = Parallel.create(threads); Arena arena = Arena.ofShared()) {
            for (String spec : types) {
                // "Q4_0x16": the batched matmul of 16 inputs (a prompt chunk); time is per input
                String name = spec.contains("x") ? spec.substring(0, spec.indexOf('x')) : spec;
                int batch = spec.contains("x") ? Integer.parseInt(spec.substring(spec.indexOf('x') + 1)) : 1;
                GGMLType type = GGMLType.valueOf(name);
                long elements = (long) rows * cols;
                long bytes = type.byteSize(elements);
                FloatTensor tensor = RandomWeights.tensor(type, elements, arena, random);
                MatmulInput[] inputs = new MatmulInput[batch];
                float[][] outs = new float[batch][rows];
                int[] offsets = new int[batch];
                for (int b = 0; b < batch; b++) {
                    inputs[b] = new MatmulInput();
                }
                Runnable call = () -> {
                    if (batch == 1) {
                        tensor.matmul(inputs[0].set(x), out, 0, rows, cols, pool);
                    } else {
                        for (MatmulInput in : inputs) {
                            in.set(x);
                        }
                        tensor.matmul(inputs, batch, outs, offsets, rows, cols, pool);
                    }
                };
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (System.nanoTime() < deadline) { // warm-up
                    call.run();
                }
                int calls = 0;
                long start = System.nanoTime();
                long end;
                do {
                    call.run();
                    calls++;
                    end = System.nanoTime();
                } while (end - start < 3_000_000_000L);
                double seconds = (end - start) / 1e9 / calls / batch;
                System.out.printf(Locale.ROOT, "%-9s %dx%d threads=%d: %8.3f ms per input, %6.2f GB/s of weights%n", spec, rows,
                        cols, threads, seconds * 1e3, bytes / seconds / 1e9);
            }
        }
    }
}
