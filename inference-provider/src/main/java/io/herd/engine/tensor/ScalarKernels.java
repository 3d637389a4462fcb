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

    /**
     * Q4_K weights against Q8_K activations, as ggml_vec_dot_q4_K_q8_K: per super-block
     * {@code d_w*d_x * sum(scale_j * q4.q8) - dmin_w*d_x * sum(min_j * bsum_j)}.
     */
    public static float dotQ4_K(MemorySegment w, long byteOffset, byte[] xq, float[] xd, int[] xBlockSums, int xBlock, int blocks) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * Q4_KTensor.BLOCK_BYTES;
            int xb = xBlock + b;
            int base = xb * 256;
            int scaled = 0;
            int mins = 0;
            for (int pair = 0; pair < 4; pair++) {
                int low = 0;
                int high = 0;
                long qs = block + 16 + 32L * pair;
                int xi = base + 64 * pair;
                for (int l = 0; l < 32; l++) {
                    int packed = Byte.toUnsignedInt(w.get(Numbers.BYTE, qs + l));
                    low += (packed & 0x0F) * xq[xi + l];
                    high += (packed >>> 4) * xq[xi + 32 + l];
                }
                int j = 2 * pair;
                scaled += Q4_KTensor.scale(w, block, j) * low + Q4_KTensor.scale(w, block, j + 1) * high;
                mins += Q4_KTensor.min(w, block, j) * (xBlockSums[xb * 16 + 2 * j] + xBlockSums[xb * 16 + 2 * j + 1])
                        + Q4_KTensor.min(w, block, j + 1) * (xBlockSums[xb * 16 + 2 * j + 2] + xBlockSums[xb * 16 + 2 * j + 3]);
            }
            float d = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block)) * xd[xb];
            float dmin = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block + 2)) * xd[xb];
            sum += d * scaled - dmin * mins;
        }
        return sum;
    }

    /** Q5_K weights against Q8_K activations: per super-block {@code d * sum(scale_j * q5.q8) - dmin * sum(min_j * bsums)}. */
    public static float dotQ5_K(MemorySegment w, long byteOffset, byte[] xq, float[] xd, int[] xBlockSums, int blocks) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * Q5_KTensor.BLOCK_BYTES;
            int scaled = 0;
            int mins = 0;
            for (int j = 0; j < 8; j++) {
                int dot = 0;
                for (int l = 0; l < 32; l++) {
                    dot += Q5_KTensor.quant(w, block, 32 * j + l) * xq[b * 256 + 32 * j + l];
                }
                scaled += Q4_KTensor.scale(w, block, j) * dot;
                mins += Q4_KTensor.min(w, block, j) * (xBlockSums[b * 16 + 2 * j] + xBlockSums[b * 16 + 2 * j + 1]);
            }
            float d = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block)) * xd[b];
            float dmin = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block + 2)) * xd[b];
            sum += d * scaled - dmin * mins;
        }
        return sum;
    }

    /** Q6_K weights against Q8_K activations: per super-block {@code d_w*d_x * sum(scale_g * q6.q8)}. */
    public static float dotQ6_K(MemorySegment w, long byteOffset, byte[] xq, float[] xd, int xBlock, int blocks) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * Q6_KTensor.BLOCK_BYTES;
            int base = (xBlock + b) * 256;
            int total = 0;
            for (int half = 0; half < 2; half++) {
                long ql = block + 64L * half;
                long qh = block + Q6_KTensor.QH + 32L * half;
                int[] groups = new int[8];
                for (int l = 0; l < 32; l++) {
                    int lowA = Byte.toUnsignedInt(w.get(Numbers.BYTE, ql + l));
                    int lowB = Byte.toUnsignedInt(w.get(Numbers.BYTE, ql + l + 32));
                    int high = Byte.toUnsignedInt(w.get(Numbers.BYTE, qh + l));
                    int xi = base + 128 * half + l;
                    int g = l / 16;
                    groups[g] += (((lowA & 0x0F) | ((high & 3) << 4)) - 32) * xq[xi];
                    groups[g + 2] += (((lowB & 0x0F) | (((high >>> 2) & 3) << 4)) - 32) * xq[xi + 32];
                    groups[g + 4] += (((lowA >>> 4) | (((high >>> 4) & 3) << 4)) - 32) * xq[xi + 64];
                    groups[g + 6] += (((lowB >>> 4) | (((high >>> 6) & 3) << 4)) - 32) * xq[xi + 96];
                }
                for (int g = 0; g < 8; g++) {
                    total += w.get(Numbers.BYTE, block + Q6_KTensor.SCALES + 8L * half + g) * groups[g];
                }
            }
            sum += Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block + Q6_KTensor.D)) * xd[xBlock + b] * total;
        }
        return sum;
    }
}
