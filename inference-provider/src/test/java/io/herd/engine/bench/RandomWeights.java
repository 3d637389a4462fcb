package io.herd.engine.bench;

import io.herd.engine.gguf.GGMLType;
import io.herd.engine.tensor.FloatTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * Weight tensors of random content in off-heap memory (as a mapped GGUF file would be), for benchmarks. Every
 * value is finite and normal: quantized blocks get random quants and a small fp16 scale, float types get small
 * random floats, so no kernel runs into NaN, infinity or subnormal arithmetic that a real model never has.
 */
public final class RandomWeights {

    private static final float SCALE = 0.01f;

    private RandomWeights() {
    }

    /** A {@code type} tensor of {@code elements} values, allocated 64-byte aligned in {@code arena}. */
    public static FloatTensor tensor(GGMLType type, long elements, Arena arena, Random random) {
        return tensor(type, elements, elements, arena, random);
    }

    /** The same as a matrix of rows of {@code rowLength} values (what a model loader gives, and Q4_0's layout uses). */
    public static FloatTensor tensor(GGMLType type, long elements, long rowLength, Arena arena, Random random) {
        MemorySegment data = arena.allocate(type.byteSize(elements), 64);
        fill(type, data, elements, random);
        return FloatTensor.of(type, data, elements, rowLength);
    }

    /** Fills {@code data} with {@code elements} values of {@code type} as described in the class comment. */
    public static void fill(GGMLType type, MemorySegment data, long elements, Random random) {
        switch (type) {
            case F32 -> {
                for (long i = 0; i < elements; i++) {
                    data.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 4 * i, smallFloat(random));
                }
            }
            case F16 -> {
                for (long i = 0; i < elements; i++) {
                    data.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i, Float.floatToFloat16(smallFloat(random)));
                }
            }
            case BF16 -> {
                for (long i = 0; i < elements; i++) {
                    // bfloat16 is the upper half of a float
                    data.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i, (short) (Float.floatToIntBits(smallFloat(random)) >>> 16));
                }
            }
            default -> {
                randomBytes(data, random);
                sanitizeScales(type, data, elements);
            }
        }
    }

    /** Random normal floats around {@link #SCALE}, never subnormal. */
    private static float smallFloat(Random random) {
        float value = (float) random.nextGaussian() * SCALE;
        return Math.abs(value) < 1e-6f ? SCALE : value;
    }

    private static void randomBytes(MemorySegment data, Random random) {
        long size = data.byteSize();
        long i = 0;
        for (; i + 8 <= size; i += 8) {
            data.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
        }
        for (; i < size; i++) {
            data.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
        }
    }

    /** Random bytes make NaN/huge fp16 scales; give every block a small finite scale instead (ggml block layouts). */
    private static void sanitizeScales(GGMLType type, MemorySegment data, long elements) {
        long blocks = elements / type.blockSize();
        long blockBytes = type.typeSize();
        short half = Float.floatToFloat16(SCALE);
        ValueLayout.OfShort layout = ValueLayout.JAVA_SHORT_UNALIGNED;
        for (long b = 0; b < blocks; b++) {
            long block = b * blockBytes;
            switch (type) {
                // block_q8_0, block_q4_0: half d first
                case Q8_0, Q4_0 -> data.set(layout, block, half);
                // block_q4_K, block_q5_K: half d, half dmin first
                case Q4_K, Q5_K -> {
                    data.set(layout, block, half);
                    data.set(layout, block + 2, half);
                }
                // block_q6_K: ql[128], qh[64], scales[16], then half d
                case Q6_K -> data.set(layout, block + 128 + 64 + 16, half);
                default -> throw new UnsupportedOperationException("no random weights for " + type);
            }
        }
    }
}
