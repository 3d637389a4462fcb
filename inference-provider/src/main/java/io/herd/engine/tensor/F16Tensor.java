package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/** IEEE half precision; inputs are rounded to half precision first, as ggml does. */
public final class F16Tensor extends FloatTensor {

    F16Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GGMLType type() {
        return GGMLType.F16;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.F16;
    }

    @Override
    public float getFloat(long index) {
        return half(data, index * 2);
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        return dot(thisOffset, input.rounded(ActivationFormat.F16), 0, size);
    }

    @Override
    public float dot(long thisOffset, float[] that, int thatOffset, int size) {
        if (Kernels.VECTOR) {
            return VectorKernels.dotF16(data, thisOffset * 2, that, thatOffset, size);
        }
        return ScalarKernels.dotF16(data, thisOffset * 2, that, thatOffset, size);
    }
}
