package io.herd.engine.tensor;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.gguf.GGUFTensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Checks every tensor type against llama.cpp's ggml library itself: {@code ggml-kernels.gguf} holds,
 * per type, a 4x512 matrix quantized by ggml_quantize_chunk, ggml's dequantization of it, an input
 * vector and ggml's CPU vec_dot results (made by src/test/python/ggml_fixtures.py).
 */
class GgmlKernelFixtureTest {

    private static GGUFFile fixture() throws IOException, URISyntaxException {
        return GGUFFile.open(Path.of(GgmlKernelFixtureTest.class.getResource("ggml-kernels.gguf").toURI()));
    }

    private static float[] floats(GGUFFile f, String name) throws IOException {
        MemorySegment s = f.tensorData(name);
        float[] out = new float[(int) (s.byteSize() / 4)];
        MemorySegment.copy(s, Numbers.FLOAT_LE, 0, out, 0, out.length);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void decodesBitForBitLikeGgml(String type) throws Exception {
        try (GGUFFile f = fixture()) {
            GGUFTensorInfo info = f.tensor("w." + type);
            FloatTensor t = FloatTensor.of(info.type(), f.tensorData(info.name()), info.elementCount());
            float[] expected = floats(f, "dequantized." + type);
            float[] actual = new float[expected.length];
            t.dequantize(0, actual, 0, actual.length);
            assertThat(actual).containsExactly(expected);
            for (int i = 0; i < expected.length; i += 37) {
                assertThat(t.getFloat(i)).as("element %d", i).isEqualTo(expected[i]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void dotProductsMatchGgmlVecDot(String type) throws Exception {
        try (GGUFFile f = fixture(); Parallel pool = Parallel.create(2)) {
            GGUFTensorInfo info = f.tensor("w." + type);
            int cols = (int) info.dim(0);
            int rows = (int) info.dim(1);
            FloatTensor t = FloatTensor.of(info.type(), f.tensorData(info.name()), info.elementCount());
            float[] x = floats(f, "x");
            float[] expected = floats(f, "dot." + type);
            float[] out = new float[rows];
            t.matmul(new MatmulInput(x), out, 0, rows, cols, pool);
            for (int r = 0; r < rows; r++) {
                // Same quantized activations and integer sums; only the float accumulation order differs.
                assertThat(out[r]).as("%s row %d", type, r).isCloseTo(expected[r], within(2e-5f * (1 + Math.abs(expected[r]))));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void batchedMatmulIsBitIdenticalToOneInputAtATime(String type) throws Exception {
        try (GGUFFile f = fixture(); Parallel pool = Parallel.create(2)) {
            GGUFTensorInfo info = f.tensor("w." + type);
            int cols = (int) info.dim(0);
            int rows = (int) info.dim(1);
            FloatTensor t = FloatTensor.of(info.type(), f.tensorData(info.name()), info.elementCount());
            float[] x = floats(f, "x");
            int count = 7;
            MatmulInput[] inputs = new MatmulInput[count];
            float[][] outputs = new float[count][rows + 3];
            int[] offsets = new int[count];
            for (int b = 0; b < count; b++) {
                float[] xb = new float[cols];
                for (int i = 0; i < cols; i++) {
                    xb[i] = x[(i + 31 * b) % cols] * (1 + 0.1f * b);
                }
                inputs[b] = new MatmulInput(xb);
                offsets[b] = b % 3;
            }
            t.matmul(inputs, count, outputs, offsets, rows, cols, pool);
            for (int b = 0; b < count; b++) {
                float[] single = new float[rows];
                t.matmul(new MatmulInput(inputs[b].source()), single, 0, rows, cols, pool);
                for (int r = 0; r < rows; r++) {
                    assertThat(outputs[b][offsets[b] + r]).as("input %d row %d", b, r).isEqualTo(single[r]);
                }
            }
        }
    }
}
