package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/**
 * ggml block_q6_K: super-blocks of 256. Layout: ql[128] (low 4 bits), qh[64] (high 2 bits),
 * int8 scales[16] (one per 16 elements), fp16 d; value = d * scale * (q - 32). Within each half of
 * 128 elements, element {@code 32*k + l} takes its low bits from {@code ql[l + 32*(k&1)]} (low nibble
 * for k < 2, high for k >= 2) and its high bits from {@code qh[l] >> 2k}.
 *
 * <p>The loader repacks each super-block into the same 210 bytes with the 16 sub-blocks (16 elements each) in
 * lanes: fp16 d; the scales of sub-blocks 0, 2, .., 14, then 1, 3, .., 15; 4 low words of 16 little-endian shorts,
 * short {@code j} of word {@code t} holding the low 4 bits of elements {@code 4t .. 4t + 3} of sub-block j (from the
 * bottom); 2 high words, short j of word {@code u} holding the high 2 bits of elements {@code 8u .. 8u + 7}. The
 * vector kernel then sums each sub-block in its own 16-bit lane.
 */
public final class Q6_KTensor extends FloatTensor {

    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 210;
    static final int QH = 128;
    static final int SCALES = 192;
    static final int D = 208;
    /** The repacked layout (see the class comment). */
    static final int PACKED_D = 0;
    static final int PACKED_EVEN_SCALES = 2;
    static final int PACKED_ODD_SCALES = 10;
    static final int PACKED_LOW = 18;
    static final int PACKED_HIGH = 146;

    /** The repacked super-blocks, in a Java array (see {@link Q4_KTensor#copyOf} for why). */
    private final byte[] bytes;

    private Q6_KTensor(byte[] bytes, long size) {
        super(MemorySegment.ofArray(bytes), size);
        this.bytes = bytes;
    }

    /** Repacks {@code size} elements of ggml blocks into a Java array (see the class comment). */
    static Q6_KTensor copyOf(MemorySegment ggml, long size) {
        long blocks = size / BLOCK;
        if (blocks * BLOCK_BYTES > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("Q6_K tensor of " + blocks * BLOCK_BYTES + " bytes is larger than one Java array holds");
        }
        byte[] packed = new byte[(int) (blocks * BLOCK_BYTES)];
        repackInChunks(ggml, blocks, BLOCK_BYTES, (chunk, first, count) -> {
            int[] q = new int[BLOCK];
            for (int i = 0; i < count; i++) {
                int from = i * BLOCK_BYTES;
                int to = (first + i) * BLOCK_BYTES;
                packed[to + PACKED_D] = chunk[from + D];
                packed[to + PACKED_D + 1] = chunk[from + D + 1];
                for (int j = 0; j < 8; j++) {
                    packed[to + PACKED_EVEN_SCALES + j] = chunk[from + SCALES + 2 * j];
                    packed[to + PACKED_ODD_SCALES + j] = chunk[from + SCALES + 2 * j + 1];
                }
                for (int half = 0; half < 2; half++) {
                    for (int l = 0; l < 32; l++) {
                        int lowA = chunk[from + 64 * half + l] & 0xFF;
                        int lowB = chunk[from + 64 * half + 32 + l] & 0xFF;
                        int high = chunk[from + QH + 32 * half + l] & 0xFF;
                        int at = 128 * half + l;
                        q[at] = (lowA & 0x0F) | (high & 3) << 4;
                        q[at + 32] = (lowB & 0x0F) | ((high >>> 2) & 3) << 4;
                        q[at + 64] = (lowA >>> 4) | ((high >>> 4) & 3) << 4;
                        q[at + 96] = (lowB >>> 4) | ((high >>> 6) & 3) << 4;
                    }
                }
                for (int j = 0; j < 16; j++) {
                    for (int t = 0; t < 4; t++) {
                        int word = 0;
                        for (int p = 0; p < 4; p++) {
                            word |= (q[16 * j + 4 * t + p] & 0x0F) << (4 * p);
                        }
                        packed[to + PACKED_LOW + 32 * t + 2 * j] = (byte) word;
                        packed[to + PACKED_LOW + 32 * t + 2 * j + 1] = (byte) (word >>> 8);
                    }
                    for (int u = 0; u < 2; u++) {
                        int word = 0;
                        for (int k = 0; k < 8; k++) {
                            word |= (q[16 * j + 8 * u + k] >>> 4) << (2 * k);
                        }
                        packed[to + PACKED_HIGH + 32 * u + 2 * j] = (byte) word;
                        packed[to + PACKED_HIGH + 32 * u + 2 * j + 1] = (byte) (word >>> 8);
                    }
                }
            }
        });
        return new Q6_KTensor(packed, size);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q6_K;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.Q8_K;
    }

    /** The signed 6-bit quant of element {@code within} of the repacked block at byte {@code block}. */
    private int packedQuant(int block, int within) {
        int j = within / 16;
        int e = within % 16;
        int lowAt = block + PACKED_LOW + 32 * (e / 4) + 2 * j;
        int low = (((bytes[lowAt] & 0xFF) | (bytes[lowAt + 1] & 0xFF) << 8) >>> (4 * (e % 4))) & 0x0F;
        int highAt = block + PACKED_HIGH + 32 * (e / 8) + 2 * j;
        int high = (((bytes[highAt] & 0xFF) | (bytes[highAt + 1] & 0xFF) << 8) >>> (2 * (e % 8))) & 3;
        return (low | (high << 4)) - 32;
    }

    /** The scale of sub-block {@code j} of the repacked block at byte {@code block}. */
    private int packedScale(int block, int j) {
        return bytes[block + (j % 2 == 0 ? PACKED_EVEN_SCALES : PACKED_ODD_SCALES) + j / 2];
    }

    @Override
    public float getFloat(long index) {
        int block = (int) (index / BLOCK) * BLOCK_BYTES;
        int within = (int) (index % BLOCK);
        return half(data, block + PACKED_D) * packedScale(block, within / 16) * packedQuant(block, within);
    }

    @Override
    protected void prepare(MatmulInput x) {
        super.prepare(x);
        if (Kernels.VECTOR) {
            x.qKSixLanes();
        }
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        int block = (int) (thisOffset / BLOCK) * BLOCK_BYTES;
        if (Kernels.VECTOR) {
            return VectorKernels.dotQ6_K(bytes, block, input.qKSixLanes(), input.qKSixCorrections(), input.qKScales(), size / BLOCK);
        }
        return dotScalar(block, input.qKQuants(), input.qKScales(), size / BLOCK);
    }

    /**
     * A batch (a prompt, or a decode step of several sequences): each row against the inputs four at a time
     * ({@link VectorKernels#dotQ6_KFourInputs}), the rest one at a time; every result equals {@link #dot}'s.
     */
    @Override
    boolean multiplyBatch(MatmulInput[] inputs, int count, float[][] outputs, int[] outputOffsets, int rows, int cols, Parallel pool) {
        if (cols % BLOCK != 0) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            prepare(inputs[i]);
        }
        int blocks = cols / BLOCK;
        multiplyInFours(inputs, count, outputs, outputOffsets, rows, blocks * BLOCK_BYTES, pool,
                (row, a, b, c, d, out) -> VectorKernels.dotQ6_KFourInputs(bytes, row, blocks, a.qKSixLanes(), b.qKSixLanes(),
                        c.qKSixLanes(), d.qKSixLanes(), a.qKSixCorrections(), b.qKSixCorrections(), c.qKSixCorrections(),
                        d.qKSixCorrections(), a.qKScales(), b.qKScales(), c.qKScales(), d.qKScales(), out),
                (row, x) -> VectorKernels.dotQ6_K(bytes, row, x.qKSixLanes(), x.qKSixCorrections(), x.qKScales(), blocks));
        return true;
    }

    /**
     * The fallback without the Vector API, ggml's Q6_K x Q8_K arithmetic on the repacked blocks: the exact integer
     * total, then {@code d * xd * total}.
     */
    float dotScalar(int firstBlock, byte[] xq, float[] xd, int blocks) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            int block = firstBlock + b * BLOCK_BYTES;
            int total = 0;
            for (int j = 0; j < 16; j++) {
                int dot = 0;
                for (int e = 0; e < 16; e++) {
                    dot += packedQuant(block, 16 * j + e) * xq[b * 256 + 16 * j + e];
                }
                total += packedScale(block, j) * dot;
            }
            sum += half(data, block + PACKED_D) * xd[b] * total;
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
            int block = (int) ((offset + i) / BLOCK) * BLOCK_BYTES;
            float d = half(data, block + PACKED_D);
            for (int j = 0; j < BLOCK; j++) {
                dst[dstOffset + i + j] = d * packedScale(block, j / 16) * packedQuant(block, j);
            }
        }
    }
}
