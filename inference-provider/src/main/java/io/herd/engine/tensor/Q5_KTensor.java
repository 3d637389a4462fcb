package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/**
 * ggml block_q5_K: super-blocks of 256 = 8 sub-blocks of 32. Layout: fp16 d, fp16 dmin, 12 bytes of
 * 6-bit scales and mins (as Q4_K), qh[32] (fifth bits), qs[128] (low nibbles as Q4_K). Element l of
 * sub-block j takes its fifth bit from bit j of {@code qh[l]}; value = d*scale*q - dmin*min.
 */
public final class Q5_KTensor extends FloatTensor {

    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 176;
    private static final int QH = 16;
    private static final int QS = 48;

    /** The blocks, ggml's layout unchanged, in a Java array (see {@link Q4_KTensor#copyOf} for why). */
    private final byte[] bytes;

    private Q5_KTensor(byte[] bytes, long size) {
        super(MemorySegment.ofArray(bytes), size);
        this.bytes = bytes;
    }

    /** Copies {@code size} elements of ggml blocks into a Java array for the vector kernel's int indexes. */
    static Q5_KTensor copyOf(MemorySegment ggml, long size) {
        return new Q5_KTensor(copyToArray("Q5_K", ggml, size / BLOCK * BLOCK_BYTES), size);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q5_K;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.Q8_K;
    }

    /** The 5-bit quant (0..31) of element {@code within} (0..255) of the block at byte {@code block}. */
    static int quant(MemorySegment data, long block, int within) {
        int subBlock = within / 32;
        int l = within % 32;
        int packed = unsignedByte(data, block + QS + 32L * (subBlock / 2) + l);
        int low = (subBlock & 1) == 0 ? packed & 0x0F : packed >>> 4;
        int high = (unsignedByte(data, block + QH + l) >>> subBlock) & 1;
        return low | (high << 4);
    }

    @Override
    public float getFloat(long index) {
        long block = (index / BLOCK) * BLOCK_BYTES;
        int within = (int) (index % BLOCK);
        int subBlock = within / 32;
        float d = half(data, block) * Q4_KTensor.scale(data, block, subBlock);
        float m = half(data, block + 2) * Q4_KTensor.min(data, block, subBlock);
        return d * quant(data, block, within) - m;
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        if (Kernels.VECTOR) {
            return VectorKernels.dotQ5_K(bytes, (int) (thisOffset / BLOCK * BLOCK_BYTES), input.qKWideQuants(), input.qKScales(),
                    input.qKBlockSums(), size / BLOCK);
        }
        return ScalarKernels.dotQ5_K(data, thisOffset / BLOCK * BLOCK_BYTES, input.qKQuants(), input.qKScales(),
                input.qKBlockSums(), size / BLOCK);
    }

    @Override
    public void dequantize(long offset, float[] dst, int dstOffset, int n) {
        if (offset % BLOCK != 0 || n % BLOCK != 0) {
            super.dequantize(offset, dst, dstOffset, n);
            return;
        }
        for (int i = 0; i < n; i += BLOCK) {
            long block = (offset + i) / BLOCK * BLOCK_BYTES;
            float d = half(data, block);
            float dmin = half(data, block + 2);
            for (int j = 0; j < 8; j++) {
                float dj = d * Q4_KTensor.scale(data, block, j);
                float mj = dmin * Q4_KTensor.min(data, block, j);
                for (int l = 0; l < 32; l++) {
                    dst[dstOffset + i + 32 * j + l] = dj * quant(data, block, 32 * j + l) - mj;
                }
            }
        }
    }
}
