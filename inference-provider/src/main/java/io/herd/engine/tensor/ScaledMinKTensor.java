package io.herd.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The K-quants whose super-blocks carry fp16 d and dmin and a 6-bit scale and min per sub-block, value
 * {@code d * scale * q - dmin * min}: Q4_K and Q5_K. Both are repacked to the same head (d, dmin, the 8 scales and the 8
 * mins one per byte, then {@link Q4_KTensor}'s 4 words of low nibbles; Q5_K adds a word of fifth bits), so everything
 * but the quant accessor and the vector kernels is written once here.
 */
abstract sealed class ScaledMinKTensor extends FloatTensor permits Q4_KTensor, Q5_KTensor {

    static final int BLOCK = 256;

    /** The repacked super-blocks, in a Java array (see {@link Q4_KTensor#copyOf} for why). */
    protected final byte[] bytes;
    private final int packedBytes;

    ScaledMinKTensor(byte[] bytes, long size, int packedBytes) {
        super(MemorySegment.ofArray(bytes), size);
        this.bytes = bytes;
        this.packedBytes = packedBytes;
    }

    /** The unsigned quant of element {@code e} of sub-block {@code s} in the repacked super-block at byte {@code block}. */
    abstract int quant(int block, int s, int e);

    /** The vector kernel: the row from byte {@code rowAt}, {@code blocks} super-blocks, against one input. */
    abstract float vectorDot(int rowAt, MatmulInput x, int blocks);

    /** The vector kernel against four inputs at once, into {@code out[0..4)}; each result equals {@link #vectorDot}'s. */
    abstract void vectorDotFour(int rowAt, int blocks, MatmulInput a, MatmulInput b, MatmulInput c, MatmulInput d, float[] out);

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.Q8_K;
    }

    @Override
    public float getFloat(long index) {
        int block = (int) (index / BLOCK) * packedBytes;
        int within = (int) (index % BLOCK);
        int s = within / 32;
        float d = half(data, block) * bytes[block + Q4_KTensor.PACKED_SCALES + s];
        float m = half(data, block + 2) * bytes[block + Q4_KTensor.PACKED_MINS + s];
        return d * quant(block, s, within % 32) - m;
    }

    @Override
    protected void prepare(MatmulInput x) {
        super.prepare(x);
        if (Kernels.VECTOR) {
            x.qKLanes();
        }
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        int block = (int) (thisOffset / BLOCK) * packedBytes;
        if (Kernels.VECTOR) {
            return vectorDot(block, input, size / BLOCK);
        }
        return dotScalar(block, input.qKQuants(), input.qKScales(), input.qKBlockSums(), size / BLOCK);
    }

    /**
     * A batch (a prompt, or a decode step of several sequences): each row against the inputs four at a time
     * ({@link #vectorDotFour}), the rest one at a time; every result equals {@link #dot}'s.
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
        multiplyInFours(inputs, count, outputs, outputOffsets, rows, blocks * packedBytes, pool,
                (row, a, b, c, d, out) -> vectorDotFour(row, blocks, a, b, c, d, out),
                (row, x) -> vectorDot(row, x, blocks));
        return true;
    }

    /**
     * The fallback without the Vector API, ggml's Q4_K/Q5_K x Q8_K arithmetic on the repacked blocks: per super-block
     * the exact integer sums, then {@code sum += d * scaled - dmin * mins}.
     */
    float dotScalar(int firstBlock, byte[] xq, float[] xd, int[] xBlockSums, int blocks) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            int block = firstBlock + b * packedBytes;
            int scaled = 0;
            int mins = 0;
            for (int s = 0; s < 8; s++) {
                int dot = 0;
                for (int e = 0; e < 32; e++) {
                    dot += quant(block, s, e) * xq[b * 256 + 32 * s + e];
                }
                scaled += bytes[block + Q4_KTensor.PACKED_SCALES + s] * dot;
                mins += bytes[block + Q4_KTensor.PACKED_MINS + s] * (xBlockSums[b * 16 + 2 * s] + xBlockSums[b * 16 + 2 * s + 1]);
            }
            float d = half(data, block) * xd[b];
            float dmin = half(data, block + 2) * xd[b];
            sum += d * scaled - dmin * mins;
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
            int block = (int) ((offset + i) / BLOCK) * packedBytes;
            float d = half(data, block);
            float dmin = half(data, block + 2);
            for (int s = 0; s < 8; s++) {
                float ds = d * bytes[block + Q4_KTensor.PACKED_SCALES + s];
                float ms = dmin * bytes[block + Q4_KTensor.PACKED_MINS + s];
                for (int e = 0; e < 32; e++) {
                    dst[dstOffset + i + 32 * s + e] = ds * quant(block, s, e) - ms;
                }
            }
        }
    }
}
