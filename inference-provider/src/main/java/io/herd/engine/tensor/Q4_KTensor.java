package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/**
 * ggml block_q4_K: super-blocks of 256 = 8 sub-blocks of 32. Layout: fp16 d, fp16 dmin, 12 bytes of
 * 6-bit scales and mins (get_scale_min_k4), 128 bytes of nibbles. Bytes {@code qs[32j..32j+32)} hold
 * sub-block 2j in their low nibbles and 2j+1 in their high nibbles; value = d*scale*q - dmin*min.
 */
public final class Q4_KTensor extends FloatTensor {

    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 144;
    private static final int SCALES = 4;
    private static final int QS = 16;

    /** The blocks, ggml's layout unchanged, in a Java array: see {@link #copyOf}. */
    private final byte[] bytes;

    private Q4_KTensor(byte[] bytes, long size) {
        super(MemorySegment.ofArray(bytes), size);
        this.bytes = bytes;
    }

    /**
     * Copies {@code size} elements of ggml blocks into a Java array, so the vector kernel reads it with int indexes,
     * whose range checks C2 compiles to far less than a segment's long-offset checks (which a JFR profile of the
     * kernel on mapped weights put at 28% of its samples). MatmulBenchmark, 2048 x 2048, 1 thread: see
     * docs/benchmarks.md.
     */
    static Q4_KTensor copyOf(MemorySegment ggml, long size) {
        return new Q4_KTensor(copyToArray("Q4_K", ggml, size / BLOCK * BLOCK_BYTES), size);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_K;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.Q8_K;
    }

    /** ggml get_scale_min_k4: the 6-bit scale of sub-block {@code j}. */
    static int scale(MemorySegment data, long block, int j) {
        long s = block + SCALES;
        if (j < 4) {
            return unsignedByte(data, s + j) & 63;
        }
        return (unsignedByte(data, s + j + 4) & 0x0F) | ((unsignedByte(data, s + j - 4) >>> 6) << 4);
    }

    /** ggml get_scale_min_k4: the 6-bit min of sub-block {@code j}. */
    static int min(MemorySegment data, long block, int j) {
        long s = block + SCALES;
        if (j < 4) {
            return unsignedByte(data, s + j + 4) & 63;
        }
        return (unsignedByte(data, s + j + 4) >>> 4) | ((unsignedByte(data, s + j) >>> 6) << 4);
    }

    @Override
    public float getFloat(long index) {
        long block = (index / BLOCK) * BLOCK_BYTES;
        int within = (int) (index % BLOCK);
        int subBlock = within / 32;
        int pair = within / 64;
        int l = within % 32;
        int packed = unsignedByte(data, block + QS + 32L * pair + l);
        int q = (subBlock & 1) == 0 ? packed & 0x0F : packed >>> 4;
        float d = half(data, block) * scale(data, block, subBlock);
        float m = half(data, block + 2) * min(data, block, subBlock);
        return d * q - m;
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        if (Kernels.VECTOR) {
            return VectorKernels.dotQ4_K(bytes, (int) (thisOffset / BLOCK * BLOCK_BYTES), input.qKWideQuants(), input.qKScales(),
                    input.qKBlockSums(), size / BLOCK);
        }
        return ScalarKernels.dotQ4_K(data, thisOffset / BLOCK * BLOCK_BYTES, input.qKQuants(), input.qKScales(),
                input.qKBlockSums(), 0, size / BLOCK);
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
            for (int pair = 0; pair < 4; pair++) {
                float d1 = d * scale(data, block, 2 * pair);
                float m1 = dmin * min(data, block, 2 * pair);
                float d2 = d * scale(data, block, 2 * pair + 1);
                float m2 = dmin * min(data, block, 2 * pair + 1);
                for (int l = 0; l < 32; l++) {
                    int packed = unsignedByte(data, block + QS + 32L * pair + l);
                    dst[dstOffset + i + 64 * pair + l] = d1 * (packed & 0x0F) - m1;
                    dst[dstOffset + i + 64 * pair + 32 + l] = d2 * (packed >>> 4) - m2;
                }
            }
        }
    }
}
