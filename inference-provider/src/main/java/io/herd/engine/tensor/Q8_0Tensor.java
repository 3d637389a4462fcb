package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/** ggml block_q8_0: fp16 scale d, then 32 int8 quants; value = q * d. */
public final class Q8_0Tensor extends FloatTensor {

    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 34;

    Q8_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q8_0;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.Q8_0;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / BLOCK) * BLOCK_BYTES;
        return data.get(Numbers.BYTE, block + 2 + index % BLOCK) * half(data, block);
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        long firstBlock = thisOffset / BLOCK * BLOCK_BYTES;
        if (Kernels.VECTOR) {
            return VectorKernels.dotQ8_0(data, firstBlock, input.q8PermutedFloats(), input.q8Scales(), 0, size / BLOCK);
        }
        return ScalarKernels.dotQ8_0(data, firstBlock, input.q8Quants(), input.q8Scales(), 0, size / BLOCK);
    }

    @Override
    public float dot(long thisOffset, float[] that, int thatOffset, int size) {
        float sum = 0;
        for (int i = 0; i < size; i += BLOCK) {
            long block = (thisOffset + i) / BLOCK * BLOCK_BYTES;
            float blockSum = 0;
            for (int j = 0; j < BLOCK; j++) {
                blockSum += data.get(Numbers.BYTE, block + 2 + j) * that[thatOffset + i + j];
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
            for (int j = 0; j < BLOCK; j++) {
                dst[dstOffset + i + j] = data.get(Numbers.BYTE, block + 2 + j) * d;
            }
        }
    }

    @Override
    boolean multiplyBatch(MatmulInput[] inputs, int count, float[][] outputs, int[] outputOffsets, int rows, int cols, Parallel pool) {
        QuantizedGemm.multiplyQ8_0(data, inputs, count, outputs, outputOffsets, rows, cols, pool);
        return true;
    }

    /** The vector path takes rows two at a time ({@link VectorKernels#dotQ8_0Rows}); results equal {@link #dot} row by row. */
    @Override
    public void matmul(MatmulInput x, float[] out, int outOffset, int rows, int cols, Parallel pool) {
        if (!Kernels.VECTOR) {
            super.matmul(x, out, outOffset, rows, cols, pool);
            return;
        }
        checkMatmul(x, rows, cols);
        prepare(x);
        int blocks = cols / BLOCK;
        float[] xq = x.q8PermutedFloats();
        float[] xd = x.q8Scales();
        forRowSets(rows, 2, pool, (first, stride, count) -> {
            if (count == 1) {
                out[outOffset + first] = VectorKernels.dotQ8_0(data, (long) first * blocks * BLOCK_BYTES, xq, xd, 0, blocks);
            } else {
                VectorKernels.dotQ8_0Rows(data, (long) first * blocks * BLOCK_BYTES, (long) (first + stride) * blocks * BLOCK_BYTES,
                        xq, xd, blocks, out, outOffset + first, outOffset + first + stride);
            }
        });
    }

    /** The single-input vector kernel reads {@link MatmulInput#q8PermutedFloats}: made here, before rows fan out. */
    @Override
    protected void prepare(MatmulInput x) {
        super.prepare(x);
        if (Kernels.VECTOR) {
            x.q8PermutedFloats();
        }
    }
}
