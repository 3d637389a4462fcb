package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/**
 * ggml block_q5_K: super-blocks of 256 = 8 sub-blocks of 32. Layout: fp16 d, fp16 dmin, 12 bytes of
 * 6-bit scales and mins (as Q4_K), qh[32] (fifth bits), qs[128] (low nibbles as Q4_K). Element l of
 * sub-block j takes its fifth bit from bit j of {@code qh[l]}; value = d*scale*q - dmin*min.
 *
 * <p>The loader repacks each super-block ({@link #PACKED_BYTES} bytes) as {@link Q4_KTensor} does, with one more word
 * of 16 shorts: bit k of its lane {@code 2s + h} is the fifth bit of element {@code 16h + k} of sub-block s.
 */
public final class Q5_KTensor extends FloatTensor {

    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 176;
    /** A repacked super-block's bytes: {@link Q4_KTensor}'s 148, then the fifth bits. */
    static final int PACKED_BYTES = Q4_KTensor.PACKED_BYTES + 32;
    static final int PACKED_HIGH = Q4_KTensor.PACKED_BYTES;
    private static final int QH = 16;
    private static final int QS = 48;

    /** The repacked super-blocks, in a Java array (see {@link Q4_KTensor#copyOf} for why). */
    private final byte[] bytes;

    private Q5_KTensor(byte[] bytes, long size) {
        super(MemorySegment.ofArray(bytes), size);
        this.bytes = bytes;
    }

    /** Repacks {@code size} elements of ggml blocks into a Java array (see the class comment). */
    static Q5_KTensor copyOf(MemorySegment ggml, long size) {
        long blocks = size / BLOCK;
        if (blocks * PACKED_BYTES > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("Q5_K tensor of " + blocks * PACKED_BYTES + " bytes is larger than one Java array holds");
        }
        byte[] packed = new byte[(int) (blocks * PACKED_BYTES)];
        repackInChunks(ggml, blocks, BLOCK_BYTES, (chunk, first, count) -> {
            int[] q = new int[BLOCK];
            for (int i = 0; i < count; i++) {
                int from = i * BLOCK_BYTES;
                int to = (first + i) * PACKED_BYTES;
                System.arraycopy(chunk, from, packed, to, 4);
                Q4_KTensor.unpackScalesAndMins(chunk, from, packed, to);
                for (int pair = 0; pair < 4; pair++) {
                    for (int l = 0; l < 32; l++) {
                        int bits = chunk[from + QS + 32 * pair + l];
                        int high = chunk[from + QH + l];
                        q[64 * pair + l] = (bits & 0x0F) | ((high >>> (2 * pair)) & 1) << 4;
                        q[64 * pair + 32 + l] = ((bits >>> 4) & 0x0F) | ((high >>> (2 * pair + 1)) & 1) << 4;
                    }
                }
                Q4_KTensor.packLowNibbles(q, packed, to + Q4_KTensor.PACKED_QS);
                for (int lane = 0; lane < 16; lane++) {
                    int firstElement = 32 * (lane >>> 1) + 16 * (lane & 1);
                    int word = 0;
                    for (int k = 0; k < 16; k++) {
                        word |= (q[firstElement + k] >>> 4) << k;
                    }
                    packed[to + PACKED_HIGH + 2 * lane] = (byte) word;
                    packed[to + PACKED_HIGH + 2 * lane + 1] = (byte) (word >>> 8);
                }
            }
        });
        return new Q5_KTensor(packed, size);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q5_K;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.Q8_K;
    }

    /** The 5-bit quant of element {@code e} of sub-block {@code s} in the repacked block at byte {@code block}. */
    private int packedQuant(int block, int s, int e) {
        int lane = 2 * s + e / 16;
        int lowAt = block + Q4_KTensor.PACKED_QS + 32 * ((e % 16) / 4) + 2 * lane;
        int low = (((bytes[lowAt] & 0xFF) | (bytes[lowAt + 1] & 0xFF) << 8) >>> (4 * (e % 4))) & 0x0F;
        int highAt = block + PACKED_HIGH + 2 * lane;
        int high = (((bytes[highAt] & 0xFF) | (bytes[highAt + 1] & 0xFF) << 8) >>> (e % 16)) & 1;
        return low | (high << 4);
    }

    @Override
    public float getFloat(long index) {
        int block = (int) (index / BLOCK) * PACKED_BYTES;
        int within = (int) (index % BLOCK);
        int s = within / 32;
        float d = half(data, block) * bytes[block + Q4_KTensor.PACKED_SCALES + s];
        float m = half(data, block + 2) * bytes[block + Q4_KTensor.PACKED_MINS + s];
        return d * packedQuant(block, s, within % 32) - m;
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
        int block = (int) (thisOffset / BLOCK) * PACKED_BYTES;
        if (Kernels.VECTOR) {
            return VectorKernels.dotQ5_K(bytes, block, input.qKLanes(), input.qKScales(), input.qKPairSums(), size / BLOCK);
        }
        return dotScalar(block, input.qKQuants(), input.qKScales(), input.qKBlockSums(), size / BLOCK);
    }

    /**
     * A batch (a prompt, or a decode step of several sequences): each row against the inputs four at a time
     * ({@link VectorKernels#dotQ5_KFourInputs}), the rest one at a time; every result equals {@link #dot}'s.
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
        multiplyInFours(inputs, count, outputs, outputOffsets, rows, blocks * PACKED_BYTES, pool,
                (row, a, b, c, d, out) -> VectorKernels.dotQ5_KFourInputs(bytes, row, blocks, a.qKLanes(), b.qKLanes(), c.qKLanes(),
                        d.qKLanes(), a.qKPairSums(), b.qKPairSums(), c.qKPairSums(), d.qKPairSums(), a.qKScales(),
                        b.qKScales(), c.qKScales(), d.qKScales(), out),
                (row, x) -> VectorKernels.dotQ5_K(bytes, row, x.qKLanes(), x.qKScales(), x.qKPairSums(), blocks));
        return true;
    }

    /**
     * The fallback without the Vector API, ggml's Q5_K x Q8_K arithmetic on the repacked blocks: per super-block the
     * exact integer sums, then {@code sum += d * scaled - dmin * mins}.
     */
    float dotScalar(int firstBlock, byte[] xq, float[] xd, int[] xBlockSums, int blocks) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            int block = firstBlock + b * PACKED_BYTES;
            int scaled = 0;
            int mins = 0;
            for (int s = 0; s < 8; s++) {
                int dot = 0;
                for (int e = 0; e < 32; e++) {
                    dot += packedQuant(block, s, e) * xq[b * 256 + 32 * s + e];
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
            int block = (int) ((offset + i) / BLOCK) * PACKED_BYTES;
            float d = half(data, block);
            float dmin = half(data, block + 2);
            for (int s = 0; s < 8; s++) {
                float ds = d * bytes[block + Q4_KTensor.PACKED_SCALES + s];
                float ms = dmin * bytes[block + Q4_KTensor.PACKED_MINS + s];
                for (int e = 0; e < 32; e++) {
                    dst[dstOffset + i + 32 * s + e] = ds * packedQuant(block, s, e) - ms;
                }
            }
        }
    }
}
