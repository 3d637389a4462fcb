package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

public final class F32Tensor extends FloatTensor {

    F32Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GGMLType type() {
        return GGMLType.F32;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.F32;
    }

    @Override
    public float getFloat(long index) {
        return data.get(Numbers.FLOAT_LE, index * 4);
    }

    @Override
    public float dot(long thisOffset, float[] that, int thatOffset, int size) {
        if (Kernels.VECTOR) {
            return VectorKernels.dotF32(data, thisOffset * 4, that, thatOffset, size);
        }
        return ScalarKernels.dotF32(data, thisOffset * 4, that, thatOffset, size);
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        return dot(thisOffset, input.source(), input.offset(), size);
    }

    @Override
    public void dequantize(long offset, float[] dst, int dstOffset, int n) {
        MemorySegment.copy(data, Numbers.FLOAT_LE, offset * 4, dst, dstOffset, n);
    }
}
