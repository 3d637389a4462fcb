package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/**
 * ggml block_q4_0: fp16 scale d, then 16 bytes; the low nibble of byte j is element j, the high
 * nibble element j+16; value = (nibble - 8) * d.
 */
public final class Q4_0Tensor extends FloatTensor {

    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 18;

    Q4_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_0;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.Q8_0;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / BLOCK) * BLOCK_BYTES;
        int within = (int) (index % BLOCK);
        int packed = unsignedByte(data, block + 2 + (within & 15));
        int nibble = within < 16 ? packed & 0x0F : packed >>> 4;
        return (nibble - 8) * half(data, block);
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        long firstBlock = thisOffset / BLOCK * BLOCK_BYTES;
        if (Kernels.VECTOR) {
            return VectorKernels.dotQ4_0(data, firstBlock, input.q8WideQuants(), input.q8Scales(), 0, size / BLOCK);
        }
        return ScalarKernels.dotQ4_0(data, firstBlock, input.q8Quants(), input.q8Scales(), 0, size / BLOCK);
    }

    @Override
    public float dot(long thisOffset, float[] that, int thatOffset, int size) {
        float sum = 0;
        for (int i = 0; i < size; i += BLOCK) {
            long block = (thisOffset + i) / BLOCK * BLOCK_BYTES;
            float blockSum = 0;
            for (int j = 0; j < 16; j++) {
                int packed = unsignedByte(data, block + 2 + j);
                blockSum += ((packed & 0x0F) - 8) * that[thatOffset + i + j]
                        + ((packed >>> 4) - 8) * that[thatOffset + i + j + 16];
            }
            sum += blockSum * half(data, block);
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
            long block = (offset + i) / BLOCK * BLOCK_BYTES;
            float d = half(data, block);
            for (int j = 0; j < 16; j++) {
                int packed = unsignedByte(data, block + 2 + j);
                dst[dstOffset + i + j] = ((packed & 0x0F) - 8) * d;
                dst[dstOffset + i + j + 16] = ((packed >>> 4) - 8) * d;
            }
        }
    }

    @Override
    int q8BlockBytes() {
        return BLOCK_BYTES;
    }

    /** The single-input vector kernel reads {@link MatmulInput#q8WideQuants}: made here, before rows fan out. */
    @Override
    protected void prepare(MatmulInput x) {
        super.prepare(x);
        if (Kernels.VECTOR) {
            x.q8WideQuants();
        }
    }
}
