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
    int gemmBlockBytes() {
        return BLOCK_BYTES;
    }

    private record WideRow(short[] quants, float[] scales) {
    }

    @Override
    protected Object rowScratch(int cols) {
        return Kernels.VECTOR ? new WideRow(new short[cols], new float[cols / BLOCK]) : null;
    }

    /** Widens the row once, then runs every input against it (bit-identical to {@link #dot(long, MatmulInput, int)}). */
    @Override
    protected void dotRow(long rowOffset, MatmulInput[] inputs, int first, int count, int cols, float[][] outputs,
                          int[] outputOffsets, int row, Object scratch) {
        if (!(scratch instanceof WideRow wide)) {
            super.dotRow(rowOffset, inputs, first, count, cols, outputs, outputOffsets, row, scratch);
            return;
        }
        int blocks = cols / BLOCK;
        long firstBlock = rowOffset / BLOCK * BLOCK_BYTES;
        VectorKernels.widenQ4_0(data, firstBlock, blocks, wide.quants(), wide.scales());
        for (int b = first; b < first + count; b++) {
            outputs[b][outputOffsets[b] + row] = VectorKernels.dotWide(wide.quants(), wide.scales(),
                    inputs[b].q8WideQuants(), inputs[b].q8Scales(), blocks);
        }
    }
}
