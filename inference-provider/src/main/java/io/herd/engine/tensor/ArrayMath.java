package io.herd.engine.tensor;

/** Dense float-array helpers of the forward pass (attention, norms), vectorized when available. */
public final class ArrayMath {

    private ArrayMath() {
    }

    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        if (Kernels.VECTOR && n >= 16) {
            return VectorKernels.dot(a, aOffset, b, bOffset, n);
        }
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /** {@code y[yOffset + i] += a * x[xOffset + i]}. */
    public static void addScaled(float[] y, int yOffset, float a, float[] x, int xOffset, int n) {
        if (Kernels.VECTOR && n >= 16) {
            VectorKernels.addScaled(y, yOffset, a, x, xOffset, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            y[yOffset + i] += a * x[xOffset + i];
        }
    }

    /** {@code out = weight * x / rms(x)}, the mean of squares accumulated in double as ggml does. */
    public static void rmsNorm(float[] out, float[] x, float[] weight, int n, float epsilon) {
        double sumOfSquares = 0;
        for (int i = 0; i < n; i++) {
            sumOfSquares += (double) x[i] * x[i];
        }
        float mean = (float) (sumOfSquares / n);
        float scale = 1f / (float) Math.sqrt(mean + epsilon);
        for (int i = 0; i < n; i++) {
            out[i] = weight[i] * (scale * x[i]);
        }
    }

    /** In-place softmax of {@code x[offset, offset+n)}. */
    public static void softmax(float[] x, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[offset + i]);
        }
        float sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[offset + i] - max);
            x[offset + i] = e;
            sum += e;
        }
        float inverse = 1f / sum;
        for (int i = 0; i < n; i++) {
            x[offset + i] *= inverse;
        }
    }
}
