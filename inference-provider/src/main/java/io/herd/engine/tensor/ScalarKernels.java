package io.herd.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Plain-Java dot products, one per weight layout: the reference the vector kernels are tested
 * against, and the fallback without the Vector API. Offsets into {@code w} are in bytes.
 */
public final class ScalarKernels {

    private ScalarKernels() {
    }

    public static float dotF32(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += w.get(Numbers.FLOAT_LE, byteOffset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    public static float dotF16(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Numbers.halfToFloat(w.get(Numbers.SHORT_LE, byteOffset + 2L * i)) * x[xOffset + i];
        }
        return sum;
    }

    public static float dotBF16(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Numbers.bfloat16ToFloat(w.get(Numbers.SHORT_LE, byteOffset + 2L * i)) * x[xOffset + i];
        }
        return sum;
    }
}
