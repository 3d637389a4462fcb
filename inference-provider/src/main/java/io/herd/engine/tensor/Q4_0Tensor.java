package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * ggml block_q4_0 weights (32 values per block: fp16 scale d, 32 nibbles, value = (nibble - 8) * d), repacked at
 * load into two arrays so the kernels decode a block with one 16-byte load and four masks:
 * <ul>
 *   <li>{@code data}: 16 bytes per block, 8 little-endian shorts; bits {@code 4k..4k+3} of short {@code j} hold
 *       the nibble of element {@code 8k + j}. In ggml's layout byte {@code i} holds elements {@code i} (low nibble)
 *       and {@code i + 16} (high nibble), and decoding it takes byte shifts that x86 does not have.</li>
 *   <li>{@code scales}: the fp16 scales, 2 bytes per block, contiguous (in ggml they sit at an 18-byte stride
 *       between the quants, which costs unaligned loads).</li>
 * </ul>
 * The repacked tensor is exactly as large as the ggml one. llama.cpp repacks Q4_0 on AVX2 for the same reason.
 */
public final class Q4_0Tensor extends FloatTensor {

    static final int BLOCK = 32;
    static final int GGML_BLOCK_BYTES = 18;
    static final int QUANT_BYTES = 16;

    private final MemorySegment scales;

    private Q4_0Tensor(MemorySegment quants, MemorySegment scales, long size) {
        super(quants, size);
        this.scales = scales;
    }

    /** Repacks {@code size} elements of ggml Q4_0 blocks from {@code ggml} into memory of {@code arena}. */
    static Q4_0Tensor repack(MemorySegment ggml, long size, Arena arena) {
        long blocks = size / BLOCK;
        MemorySegment quants = arena.allocate(blocks * QUANT_BYTES, 64);
        MemorySegment scales = arena.allocate(blocks * 2, 64);
        for (long b = 0; b < blocks; b++) {
            long from = b * GGML_BLOCK_BYTES;
            scales.set(Numbers.SHORT_LE, 2 * b, ggml.get(Numbers.SHORT_LE, from));
            long low = ggml.get(Numbers.LONG_LE, from + 2);   // bytes 0..7: elements 0..7 and 16..23
            long high = ggml.get(Numbers.LONG_LE, from + 10); // bytes 8..15: elements 8..15 and 24..31
            for (int j = 0; j < 8; j++) {
                int first = (int) (low >>> (8 * j)) & 0xFF;
                int second = (int) (high >>> (8 * j)) & 0xFF;
                int packed = (first & 0x0F) | (second & 0x0F) << 4 | (first >>> 4) << 8 | (second >>> 4) << 12;
                quants.set(Numbers.SHORT_LE, b * QUANT_BYTES + 2 * j, (short) packed);
            }
        }
        return new Q4_0Tensor(quants, scales, size);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_0;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.Q8_0;
    }

    /** The fp16 scales, 2 bytes per block ({@link #segment()} holds the quants). */
    MemorySegment scales() {
        return scales;
    }

    private int nibble(long block, int within) {
        int packed = data.get(Numbers.SHORT_LE, block * QUANT_BYTES + 2L * (within % 8));
        return (packed >>> (4 * (within / 8))) & 0x0F;
    }

    private float scale(long block) {
        return Numbers.halfToFloat(scales.get(Numbers.SHORT_LE, 2 * block));
    }

    @Override
    public float getFloat(long index) {
        long block = index / BLOCK;
        return (nibble(block, (int) (index % BLOCK)) - 8) * scale(block);
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        long firstBlock = thisOffset / BLOCK;
        if (Kernels.VECTOR) {
            return VectorKernels.dotQ4_0(data, scales, firstBlock, input.q4Floats(), input.q4Corrections(), input.q8Scales(), size / BLOCK);
        }
        return ScalarKernels.dotQ4_0(data, scales, firstBlock, input.q8Quants(), input.q8Scales(), size / BLOCK);
    }

    @Override
    public float dot(long thisOffset, float[] that, int thatOffset, int size) {
        float sum = 0;
        for (int i = 0; i < size; i += BLOCK) {
            long block = (thisOffset + i) / BLOCK;
            float blockSum = 0;
            for (int e = 0; e < BLOCK; e++) {
                blockSum += (nibble(block, e) - 8) * that[thatOffset + i + e];
            }
            sum += blockSum * scale(block);
        }
        return sum;
    }

    @Override
    public void dequantize(long offset, float[] dst, int dstOffset, int n) {
        if (offset % BLOCK != 0 || n % BLOCK != 0) {
            super.dequantize(offset, dst, dstOffset, n);
            return;
        }
        for (int i = 0; i < n; i += BLOCK) {
            long block = (offset + i) / BLOCK;
            float d = scale(block);
            for (int j = 0; j < 8; j++) {
                int packed = data.get(Numbers.SHORT_LE, block * QUANT_BYTES + 2L * j);
                for (int k = 0; k < 4; k++) {
                    dst[dstOffset + i + 8 * k + j] = (((packed >>> (4 * k)) & 0x0F) - 8) * d;
                }
            }
        }
    }

    @Override
    boolean multiplyBatch(MatmulInput[] inputs, int count, float[][] outputs, int[] outputOffsets, int rows, int cols, Parallel pool) {
        QuantizedGemm.multiplyQ4_0(data, scales, inputs, count, outputs, outputOffsets, rows, cols, pool);
        return true;
    }

    /** The single-input vector kernel reads {@link MatmulInput#q4Floats}: made here, before rows fan out. */
    @Override
    protected void prepare(MatmulInput x) {
        super.prepare(x);
        if (Kernels.VECTOR) {
            x.q4Floats();
            x.q4Corrections();
        }
    }
}
