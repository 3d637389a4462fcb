package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/** bfloat16 (the top half of a float32); inputs are rounded to bfloat16 first, as ggml does. */
public final class BF16Tensor extends FloatTensor {

    BF16Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GGMLType type() {
        return GGMLType.BF16;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.BF16;
    }

    @Override
    public float getFloat(long index) {
        return Numbers.bfloat16ToFloat(data.get(Numbers.SHORT_LE, index * 2));
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        return dot(thisOffset, input.rounded(ActivationFormat.BF16), 0, size);
    }

    @Override
    public float dot(long thisOffset, float[] that, int thatOffset, int size) {
        if (Kernels.VECTOR) {
            return VectorKernels.dotBF16(data, thisOffset * 2, that, thatOffset, size);
        }
        return ScalarKernels.dotBF16(data, thisOffset * 2, that, thatOffset, size);
    }
}
