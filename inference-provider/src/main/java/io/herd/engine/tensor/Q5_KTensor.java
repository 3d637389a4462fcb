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
public final class Q5_KTensor extends ScaledMinKTensor {

    static final int BLOCK_BYTES = 176;
    /** A repacked super-block's bytes: {@link Q4_KTensor}'s 148, then the fifth bits. */
    static final int PACKED_BYTES = Q4_KTensor.PACKED_BYTES + 32;
    static final int PACKED_HIGH = Q4_KTensor.PACKED_BYTES;
    private static final int QH = 16;
    private static final int QS = 48;

    private Q5_KTensor(byte[] bytes, long size) {
        super(bytes, size, PACKED_BYTES);
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

    /** The 5-bit quant of element {@code e} of sub-block {@code s} in the repacked block at byte {@code block}. */
    @Override
    int quant(int block, int s, int e) {
        int lane = 2 * s + e / 16;
        int lowAt = block + Q4_KTensor.PACKED_QS + 32 * ((e % 16) / 4) + 2 * lane;
        int low = (((bytes[lowAt] & 0xFF) | (bytes[lowAt + 1] & 0xFF) << 8) >>> (4 * (e % 4))) & 0x0F;
        int highAt = block + PACKED_HIGH + 2 * lane;
        int high = (((bytes[highAt] & 0xFF) | (bytes[highAt + 1] & 0xFF) << 8) >>> (e % 16)) & 1;
        return low | (high << 4);
    }

    @Override
    float vectorDot(int rowAt, MatmulInput x, int blocks) {
        return VectorKernels.dotQ5_K(bytes, rowAt, x.qKLanes(), x.qKScales(), x.qKPairSums(), blocks);
    }

    @Override
    void vectorDotFour(int rowAt, int blocks, MatmulInput a, MatmulInput b, MatmulInput c, MatmulInput d, float[] out) {
        VectorKernels.dotQ5_KFourInputs(bytes, rowAt, blocks, a.qKLanes(), b.qKLanes(), c.qKLanes(), d.qKLanes(),
                a.qKPairSums(), b.qKPairSums(), c.qKPairSums(), d.qKPairSums(), a.qKScales(), b.qKScales(), c.qKScales(),
                d.qKScales(), out);
    }
}
