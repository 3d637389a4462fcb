package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/**
 * ggml block_q4_K: super-blocks of 256 = 8 sub-blocks of 32. Layout: fp16 d, fp16 dmin, 12 bytes of
 * 6-bit scales and mins (get_scale_min_k4), 128 bytes of nibbles. Bytes {@code qs[32j..32j+32)} hold
 * sub-block 2j in their low nibbles and 2j+1 in their high nibbles; value = d*scale*q - dmin*min.
 *
 * <p>The loader repacks each super-block ({@link #PACKED_BYTES} bytes, see {@link #copyOf}) so that the vector kernel
 * finds sub-blocks in lanes: fp16 d and dmin, the 8 scales and the 8 mins one per byte, then 4 words of 16 little-endian
 * shorts. Short {@code L} of word {@code t} belongs to sub-block {@code L / 2}; its nibble {@code p} (from the bottom)
 * is element {@code 16 * (L % 2) + 4t + p} of that sub-block. A word's 16 lanes times 16 activations then add into one
 * 16-bit partial sum per half sub-block, with no horizontal sums until the super-block's end.
 */
public final class Q4_KTensor extends ScaledMinKTensor {

    /** A ggml super-block's bytes. */
    static final int BLOCK_BYTES = 144;
    /** A repacked super-block's bytes. */
    static final int PACKED_BYTES = 148;
    static final int PACKED_SCALES = 4;
    static final int PACKED_MINS = 12;
    static final int PACKED_QS = 20;
    private static final int SCALES = 4;
    private static final int QS = 16;

    private Q4_KTensor(byte[] bytes, long size) {
        super(bytes, size, PACKED_BYTES);
    }

    /**
     * Repacks {@code size} elements of ggml blocks into a Java array (see the class comment). An int index's range
     * check costs C2 far less than a segment's long-offset check (which a JFR profile of the kernel on mapped weights
     * put at 28% of its samples).
     */
    static Q4_KTensor copyOf(MemorySegment ggml, long size) {
        long blocks = size / BLOCK;
        if (blocks * PACKED_BYTES > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("Q4_K tensor of " + blocks * PACKED_BYTES + " bytes is larger than one Java array holds");
        }
        byte[] packed = new byte[(int) (blocks * PACKED_BYTES)];
        repackInChunks(ggml, blocks, BLOCK_BYTES, (chunk, first, count) -> {
            int[] q = new int[BLOCK];
            for (int i = 0; i < count; i++) {
                int from = i * BLOCK_BYTES;
                int to = (first + i) * PACKED_BYTES;
                System.arraycopy(chunk, from, packed, to, 4);
                unpackScalesAndMins(chunk, from, packed, to);
                for (int pair = 0; pair < 4; pair++) {
                    for (int l = 0; l < 32; l++) {
                        int bits = chunk[from + QS + 32 * pair + l];
                        q[64 * pair + l] = bits & 0x0F;
                        q[64 * pair + 32 + l] = (bits >>> 4) & 0x0F;
                    }
                }
                packLowNibbles(q, packed, to + PACKED_QS);
            }
        });
        return new Q4_KTensor(packed, size);
    }

    /**
     * The 8 six-bit scales and 8 mins of the ggml super-block at {@code block[at]} (get_scale_min_k4), one per byte at
     * {@code packed[to + PACKED_SCALES ..]} and {@code packed[to + PACKED_MINS ..]} (Q5_K's blocks start alike).
     */
    static void unpackScalesAndMins(byte[] block, int at, byte[] packed, int to) {
        for (int j = 0; j < 4; j++) {
            packed[to + PACKED_SCALES + j] = (byte) (block[at + SCALES + j] & 63);
            packed[to + PACKED_MINS + j] = (byte) (block[at + SCALES + j + 4] & 63);
            packed[to + PACKED_SCALES + 4 + j] = (byte) ((block[at + SCALES + j + 8] & 0x0F) | ((block[at + SCALES + j] & 0xC0) >>> 2));
            packed[to + PACKED_MINS + 4 + j] = (byte) (((block[at + SCALES + j + 8] & 0xF0) >>> 4) | ((block[at + SCALES + j + 4] & 0xC0) >>> 2));
        }
    }

    /**
     * The low 4 bits of a super-block's 256 quants ({@code q}, in element order) as 4 words of 16 little-endian shorts
     * from {@code packed[at]}: lane {@code 2s + h} of word t holds elements {@code 16h + 4t .. 16h + 4t + 3} of sub-block
     * s (Q5_K shares this part of the layout).
     */
    static void packLowNibbles(int[] q, byte[] packed, int at) {
        for (int t = 0; t < 4; t++) {
            for (int lane = 0; lane < 16; lane++) {
                int first = 32 * (lane >>> 1) + 16 * (lane & 1) + 4 * t;
                int word = (q[first] & 0x0F) | (q[first + 1] & 0x0F) << 4 | (q[first + 2] & 0x0F) << 8 | (q[first + 3] & 0x0F) << 12;
                packed[at + 32 * t + 2 * lane] = (byte) word;
                packed[at + 32 * t + 2 * lane + 1] = (byte) (word >>> 8);
            }
        }
    }

    /** The 4-bit quant of element {@code e} of sub-block {@code s} in the repacked super-block at byte {@code block}. */
    @Override
    int quant(int block, int s, int e) {
        int lane = 2 * s + e / 16;
        int t = (e % 16) / 4;
        int at = block + PACKED_QS + 32 * t + 2 * lane;
        int word = (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
        return (word >>> (4 * (e % 4))) & 0x0F;
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_K;
    }

    @Override
    float vectorDot(int rowAt, MatmulInput x, int blocks) {
        return VectorKernels.dotQ4_K(bytes, rowAt, x.qKLanes(), x.qKScales(), x.qKPairSums(), blocks);
    }

    @Override
    void vectorDotFour(int rowAt, int blocks, MatmulInput a, MatmulInput b, MatmulInput c, MatmulInput d, float[] out) {
        VectorKernels.dotQ4_KFourInputs(bytes, rowAt, blocks, a.qKLanes(), b.qKLanes(), c.qKLanes(), d.qKLanes(),
                a.qKPairSums(), b.qKPairSums(), c.qKPairSums(), d.qKPairSums(), a.qKScales(), b.qKScales(), c.qKScales(),
                d.qKScales(), out);
    }
}
