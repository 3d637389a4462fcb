package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/**
 * ggml block_q6_K: super-blocks of 256. Layout: ql[128] (low 4 bits), qh[64] (high 2 bits),
 * int8 scales[16] (one per 16 elements), fp16 d; value = d * scale * (q - 32). Within each half of
 * 128 elements, element {@code 32*k + l} takes its low bits from {@code ql[l + 32*(k&1)]} (low nibble
 * for k < 2, high for k >= 2) and its high bits from {@code qh[l] >> 2k}.
 */
public final class Q6_KTensor extends FloatTensor {

    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 210;
    static final int QH = 128;
    static final int SCALES = 192;
    static final int D = 208;

    /** The blocks, ggml's layout unchanged, in a Java array (see {@link Q4_KTensor#copyOf} for why). */
    private final byte[] bytes;

    private Q6_KTensor(byte[] bytes, long size) {
        super(MemorySegment.ofArray(bytes), size);
        this.bytes = bytes;
    }

    /** Copies {@code size} elements of ggml blocks into a Java array for the vector kernel's int indexes. */
    static Q6_KTensor copyOf(MemorySegment ggml, long size) {
        return new Q6_KTensor(copyToArray("Q6_K", ggml, size / BLOCK * BLOCK_BYTES), size);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q6_K;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.Q8_K;
    }

    /** The signed 6-bit quant (-32..31) of element {@code within} (0..255) of the block at byte {@code block}. */
    static int quant(MemorySegment data, long block, int within) {
        int half = within / 128;
        int quarter = (within % 128) / 32;
        int l = within % 32;
        int low = unsignedByte(data, block + 64L * half + l + 32 * (quarter & 1));
        low = quarter < 2 ? low & 0x0F : low >>> 4;
        int high = (unsignedByte(data, block + QH + 32L * half + l) >>> (2 * quarter)) & 3;
        return (low | (high << 4)) - 32;
    }

    static int scale(MemorySegment data, long block, int within) {
        return data.get(Numbers.BYTE, block + SCALES + within / 16);
    }

    @Override
    public float getFloat(long index) {
        long block = (index / BLOCK) * BLOCK_BYTES;
        int within = (int) (index % BLOCK);
        return half(data, block + D) * scale(data, block, within) * quant(data, block, within);
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        if (Kernels.VECTOR) {
            return VectorKernels.dotQ6_K(bytes, (int) (thisOffset / BLOCK * BLOCK_BYTES), input.qKWideQuants(), input.qKScales(), size / BLOCK);
        }
        return ScalarKernels.dotQ6_K(data, thisOffset / BLOCK * BLOCK_BYTES, input.qKQuants(), input.qKScales(), 0, size / BLOCK);
    }

    @Override
    public void dequantize(long offset, float[] dst, int dstOffset, int n) {
        if (offset % BLOCK != 0 || n % BLOCK != 0) {
            super.dequantize(offset, dst, dstOffset, n);
            return;
        }
        for (int i = 0; i < n; i += BLOCK) {
            long block = (offset + i) / BLOCK * BLOCK_BYTES;
            float d = half(data, block + D);
            for (int j = 0; j < BLOCK; j++) {
                dst[dstOffset + i + j] = d * scale(data, block, j) * quant(data, block, j);
            }
        }
    }
}
