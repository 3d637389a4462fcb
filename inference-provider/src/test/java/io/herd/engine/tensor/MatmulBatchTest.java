package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A batched matmul gives, for every input, exactly the floats of a matmul over that input alone. */
class MatmulBatchTest {

    private static final int ROWS = 37;
    /**
     * 8 and 11 blocks (Q4_0: one group of 16 blocks, padded) and 32 blocks (two whole Q4_0 groups), each row a layout
     * row of its own as a model's matrices are.
     */
    private static final int[] COLUMN_COUNTS = {256, 352, 1024};

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void batchedRowsEqualSingleRows(GGMLType type) {
        for (int cols : COLUMN_COUNTS) {
            if (cols % type.blockSize() == 0) {
                // one thread takes every row in one range (a decode batch pairs rows across it), two split them
                assertBatchedRowsEqualSingleRows(type, cols, 1);
                assertBatchedRowsEqualSingleRows(type, cols, 2);
            }
        }
    }

    /**
     * Q4_0's groups of 5-8 inputs take the 512-bit kernel where the CPU has AVX-512 and the 256-bit one-row kernel
     * elsewhere; both ways, on any CPU, give the single-input floats (the same inputs go through both, so a layout
     * packed for one way must not be reused by the other).
     */
    @org.junit.jupiter.api.Test
    void q4_0BatchesEqualSingleRowsThroughEitherKernel() {
        int columns = 1024;
        Random random = new Random(11);
        Q4_0Tensor weights = (Q4_0Tensor) FloatTensor.of(GGMLType.Q4_0, randomTensorBytes(GGMLType.Q4_0, random, columns),
                (long) ROWS * columns, columns);
        try (Parallel pool = Parallel.create(2)) {
            for (int count : new int[] {5, 8, 12, 13, 21}) {
                MatmulInput[] inputs = new MatmulInput[count];
                for (int i = 0; i < count; i++) {
                    float[] x = new float[columns];
                    for (int j = 0; j < columns; j++) {
                        x[j] = (float) random.nextGaussian();
                    }
                    inputs[i] = new MatmulInput(x);
                }
                for (boolean wide : new boolean[] {false, true, false}) {
                    float[][] batched = new float[count][ROWS];
                    assertThat(weights.multiplyBatch(inputs, count, batched, new int[count], ROWS, columns, wide, pool)).isTrue();
                    for (int i = 0; i < count; i++) {
                        float[] single = new float[ROWS];
                        weights.matmul(new MatmulInput(inputs[i].source()), single, 0, ROWS, columns, pool);
                        assertThat(batched[i]).as("wide %s, input %d of %d", wide, i, count).containsExactly(single);
                    }
                }
            }
        }
    }

    /**
     * The same input objects, pointed at new values with {@code set}, between two products (as a forward pass reuses
     * them from layer to layer): the second product reads the new values, not the packed copy of the first.
     */
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q8_0", "Q4_0"})
    void inputsSetToNewValuesAreReadAfresh(GGMLType type) {
        int columns = 1024;
        Random random = new Random(7);
        FloatTensor weights = FloatTensor.of(type, randomTensorBytes(type, random, columns), (long) ROWS * columns, columns);
        int count = 8;
        MatmulInput[] inputs = new MatmulInput[count];
        float[][] values = new float[count][columns];
        for (int i = 0; i < count; i++) {
            inputs[i] = new MatmulInput();
        }
        try (Parallel pool = Parallel.create(2)) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < count; i++) {
                    for (int j = 0; j < columns; j++) {
                        values[i][j] = (float) random.nextGaussian();
                    }
                    inputs[i].set(values[i], 0, columns);
                }
                float[][] batched = new float[count][ROWS];
                // twice with the same inputs, as the Q, K and V projections do
                weights.matmul(inputs, count, batched, new int[count], ROWS, columns, pool);
                float[][] again = new float[count][ROWS];
                weights.matmul(inputs, count, again, new int[count], ROWS, columns, pool);
                for (int i = 0; i < count; i++) {
                    float[] single = new float[ROWS];
                    weights.matmul(new MatmulInput(values[i].clone()), single, 0, ROWS, columns, pool);
                    assertThat(batched[i]).as("%s, round %d, input %d", type, round, i).containsExactly(single);
                    assertThat(again[i]).as("%s, round %d, input %d, second product", type, round, i).containsExactly(single);
                }
            }
        }
    }

    private static void assertBatchedRowsEqualSingleRows(GGMLType type, int cols, int threads) {
        int columns = cols;
        Random random = new Random(type.ordinal());
        FloatTensor weights = FloatTensor.of(type, randomTensorBytes(type, random, columns), (long) ROWS * columns, columns);
        try (Parallel pool = Parallel.create(threads)) {
            for (int count : new int[] {1, 3, 4, 7, 8, 9, 12, 13, 17, 24}) {
                MatmulInput[] inputs = new MatmulInput[count];
                float[][] batched = new float[count][ROWS + 2];
                for (int i = 0; i < count; i++) {
                    float[] x = new float[columns];
                    for (int j = 0; j < columns; j++) {
                        x[j] = (float) random.nextGaussian();
                    }
                    inputs[i] = new MatmulInput(x);
                }
                int[] offsets = new int[count];
                java.util.Arrays.fill(offsets, 2);
                weights.matmul(inputs, count, batched, offsets, ROWS, columns, pool);
                for (int i = 0; i < count; i++) {
                    float[] single = new float[ROWS + 2];
                    weights.matmul(new MatmulInput(inputs[i].source()), single, 2, ROWS, columns, pool);
                    assertThat(batched[i]).as("%s, %d columns, %d threads, input %d of %d", type, columns, threads, i, count).containsExactly(single);
                }
            }
        }
    }

    /** Random blocks with small, finite fp16 scales (every other byte random). */
    private static MemorySegment randomTensorBytes(GGMLType type, Random random, int cols) {
        long bytes = type.byteSize((long) ROWS * cols);
        ByteBuffer buffer = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> {
                for (long i = 0; i < bytes / 4; i++) {
                    buffer.putFloat((float) random.nextGaussian());
                }
            }
            case F16 -> {
                for (long i = 0; i < bytes / 2; i++) {
                    buffer.putShort(Float.floatToFloat16((float) random.nextGaussian()));
                }
            }
            default -> {
                byte[] raw = new byte[(int) bytes];
                random.nextBytes(raw);
                buffer.put(raw);
                // Keep every fp16 scale finite and small: ggml blocks start with (or hold) fp16 scales.
                int blockBytes = (int) type.byteSize(type.blockSize());
                for (int block = 0; block < bytes / blockBytes; block++) {
                    int base = block * blockBytes;
                    buffer.putShort(base, Float.floatToFloat16(random.nextFloat() * 0.01f));
                    if (type == GGMLType.Q4_K || type == GGMLType.Q5_K) {
                        buffer.putShort(base + 2, Float.floatToFloat16(random.nextFloat() * 0.01f));
                    }
                    if (type == GGMLType.Q6_K) {
                        buffer.putShort(base + blockBytes - 2, Float.floatToFloat16(random.nextFloat() * 0.01f));
                    }
                }
            }
        }
        return MemorySegment.ofArray(buffer.array());
    }
}
