package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * ggml block_q4_0 weights (32 values per block: fp16 scale d, 32 nibbles, value = (nibble - 8) * d), repacked at
 * load so that the kernels decode two blocks with one 32-byte load and 16-bit shifts and masks:
 * <ul>
 *   <li>{@code data}: blocks in pairs {@code (2p, 2p+1)}, 32 bytes per pair as 16 little-endian shorts. A block's
 *       8 words are {@code w_j = n(j) | n(8+j) << 4 | n(16+j) << 8 | n(24+j) << 12} (n(e): the nibble of element
 *       e); short {@code 2j} of a pair is {@code w_j} of block {@code 2p} and short {@code 2j+1} that of block
 *       {@code 2p+1}. Decoding nibble k of all 16 shorts gives both blocks' elements {@code 8k+j} side by side,
 *       and the sum of the 16-bit products over k, read as 8 ints, is split into the two blocks by one shift each.
 *       In ggml's layout byte {@code i} holds elements {@code i} and {@code i + 16}, and splitting it takes byte
 *       shuffles.</li>
 *   <li>{@code scales}: the fp16 scales, 2 bytes per block, contiguous (in ggml they sit at an 18-byte stride
 *       between the quants, which costs unaligned loads).</li>
 * </ul>
 * An odd block count is padded with a block of value 0. The vector kernels take rows of whole pairs (an even number
 * of blocks per row, which every Llama shape has: dimensions are multiples of 64); other rows take the scalar loop.
 * llama.cpp repacks Q4_0 on AVX2 for the same reason.
 */
public final class Q4_0Tensor extends FloatTensor {

    static final int BLOCK = 32;
    static final int GGML_BLOCK_BYTES = 18;
    /** Bytes of quants per pair of blocks. */
    static final int PAIR_BYTES = 32;

    private final MemorySegment scales;

    private Q4_0Tensor(MemorySegment quants, MemorySegment scales, long size) {
        super(quants, size);
        this.scales = scales;
    }

    /** Repacks {@code size} elements of ggml Q4_0 blocks from {@code ggml} into memory of {@code arena}. */
    static Q4_0Tensor repack(MemorySegment ggml, long size, Arena arena) {
        long blocks = size / BLOCK;
        long pairs = (blocks + 1) / 2;
        MemorySegment quants = arena.allocate(pairs * PAIR_BYTES, 64);
        MemorySegment scales = arena.allocate(pairs * 4, 64);
        for (long b = 0; b < blocks; b++) {
            long from = b * GGML_BLOCK_BYTES;
            scales.set(Numbers.SHORT_LE, 2 * b, ggml.get(Numbers.SHORT_LE, from));
            long low = ggml.get(Numbers.LONG_LE, from + 2);   // bytes 0..7: elements 0..7 and 16..23
            long high = ggml.get(Numbers.LONG_LE, from + 10); // bytes 8..15: elements 8..15 and 24..31
            for (int j = 0; j < 8; j++) {
                int first = (int) (low >>> (8 * j)) & 0xFF;
                int second = (int) (high >>> (8 * j)) & 0xFF;
                int word = (first & 0x0F) | (second & 0x0F) << 4 | (first >>> 4) << 8 | (second >>> 4) << 12;
                quants.set(Numbers.SHORT_LE, wordOffset(b, j), (short) word);
            }
        }
        if (blocks % 2 == 1) {
            for (int j = 0; j < 8; j++) {
                quants.set(Numbers.SHORT_LE, wordOffset(blocks, j), (short) 0x8888); // nibbles 8: value 0
            }
        }
        return new Q4_0Tensor(quants, scales, size);
    }

    /** Byte offset in {@code data} of word {@code j} (elements j, 8+j, 16+j, 24+j) of block {@code block}. */
    static long wordOffset(long block, int j) {
        return (block >>> 1) * PAIR_BYTES + 4L * j + 2 * (block & 1);
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
        int packed = data.get(Numbers.SHORT_LE, wordOffset(block, within % 8));
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
        int blocks = size / BLOCK;
        if (Kernels.VECTOR && inWholePairs(firstBlock, blocks)) {
            return VectorKernels.dotQ4_0(data, scales, firstBlock / 2, input.q4Pairs(), input.q8Scales(), blocks / 2);
        }
        return ScalarKernels.dotQ4_0(data, scales, firstBlock, input.q8Quants(), input.q8Scales(), blocks);
    }

    /** Whether a row of {@code blocks} blocks from {@code firstBlock} covers whole pairs (what the vector kernels read). */
    static boolean inWholePairs(long firstBlock, int blocks) {
        return firstBlock % 2 == 0 && blocks % 2 == 0;
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
                int packed = data.get(Numbers.SHORT_LE, wordOffset(block, j));
                for (int k = 0; k < 4; k++) {
                    dst[dstOffset + i + 8 * k + j] = (((packed >>> (4 * k)) & 0x0F) - 8) * d;
                }
            }
        }
    }

    /** Rows of whole pairs take {@link QuantizedGemm}; others the single-row loop (scalar, the same as one input). */
    @Override
    boolean multiplyBatch(MatmulInput[] inputs, int count, float[][] outputs, int[] outputOffsets, int rows, int cols, Parallel pool) {
        if (cols % (2 * BLOCK) != 0) {
            return false;
        }
        QuantizedGemm.multiplyQ4_0(data, scales, inputs, count, outputs, outputOffsets, rows, cols, pool);
        return true;
    }

    /** The vector kernel reads {@link MatmulInput#q4Pairs}: made here, before rows fan out. */
    @Override
    protected void prepare(MatmulInput x) {
        super.prepare(x);
        if (Kernels.VECTOR) {
            x.q4Pairs();
        }
    }
}
