package io.herd.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The K-quant dot products and accessors on ggml's own block layout, written from ggml's block_q4_K, block_q5_K and
 * block_q6_K and ggml_vec_dot_q*_K_q8_K: the reference the repacked tensors ({@link Q4_KTensor}, {@link Q5_KTensor},
 * {@link Q6_KTensor}) are tested against, bit for bit, through their vector kernels and their scalar fallbacks.
 * Offsets into {@code w} are in bytes.
 */
final class GgmlKQuants {

    private GgmlKQuants() {
    }

    private static int unsignedByte(MemorySegment data, long byteOffset) {
        return Byte.toUnsignedInt(data.get(Numbers.BYTE, byteOffset));
    }

    /** ggml get_scale_min_k4: the 6-bit scale of sub-block {@code j} of the ggml super-block at {@code block}. */
    static int scale(MemorySegment data, long block, int j) {
        long s = block + 4;
        if (j < 4) {
            return unsignedByte(data, s + j) & 63;
        }
        return (unsignedByte(data, s + j + 4) & 0x0F) | ((unsignedByte(data, s + j - 4) >>> 6) << 4);
    }

    /** ggml get_scale_min_k4: the 6-bit min of sub-block {@code j} of the ggml super-block at {@code block}. */
    static int min(MemorySegment data, long block, int j) {
        long s = block + 4;
        if (j < 4) {
            return unsignedByte(data, s + j + 4) & 63;
        }
        return (unsignedByte(data, s + j + 4) >>> 4) | ((unsignedByte(data, s + j) >>> 6) << 4);
    }

    /** The 5-bit quant (0..31) of element {@code within} (0..255) of the ggml block at byte {@code block}. */
    static int q5Quant(MemorySegment data, long block, int within) {
        int subBlock = within / 32;
        int l = within % 32;
        int packed = unsignedByte(data, block + 48 + 32L * (subBlock / 2) + l);
        int low = (subBlock & 1) == 0 ? packed & 0x0F : packed >>> 4;
        int high = (unsignedByte(data, block + 16 + l) >>> subBlock) & 1;
        return low | (high << 4);
    }

    /** The signed 6-bit quant (-32..31) of element {@code within} (0..255) of the ggml block at byte {@code block}. */
    static int q6Quant(MemorySegment data, long block, int within) {
        int half = within / 128;
        int quarter = (within % 128) / 32;
        int l = within % 32;
        int low = unsignedByte(data, block + 64L * half + l + 32 * (quarter & 1));
        low = quarter < 2 ? low & 0x0F : low >>> 4;
        int high = (unsignedByte(data, block + 128 + 32L * half + l) >>> (2 * quarter)) & 3;
        return (low | (high << 4)) - 32;
    }

    /**
     * Q4_K weights against Q8_K activations, as ggml_vec_dot_q4_K_q8_K: per super-block
     * {@code d_w*d_x * sum(scale_j * q4.q8) - dmin_w*d_x * sum(min_j * bsum_j)}.
     */
    static float dotQ4_K(MemorySegment w, long byteOffset, byte[] xq, float[] xd, int[] xBlockSums, int xBlock, int blocks) {
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
                scaled += scale(w, block, j) * low + scale(w, block, j + 1) * high;
                mins += min(w, block, j) * (xBlockSums[xb * 16 + 2 * j] + xBlockSums[xb * 16 + 2 * j + 1])
                        + min(w, block, j + 1) * (xBlockSums[xb * 16 + 2 * j + 2] + xBlockSums[xb * 16 + 2 * j + 3]);
            }
            float d = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block)) * xd[xb];
            float dmin = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block + 2)) * xd[xb];
            sum += d * scaled - dmin * mins;
        }
        return sum;
    }

    /** Q5_K weights against Q8_K activations: per super-block {@code d * sum(scale_j * q5.q8) - dmin * sum(min_j * bsums)}. */
    static float dotQ5_K(MemorySegment w, long byteOffset, byte[] xq, float[] xd, int[] xBlockSums, int blocks) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * Q5_KTensor.BLOCK_BYTES;
            int scaled = 0;
            int mins = 0;
            for (int j = 0; j < 8; j++) {
                int dot = 0;
                for (int l = 0; l < 32; l++) {
                    dot += q5Quant(w, block, 32 * j + l) * xq[b * 256 + 32 * j + l];
                }
                scaled += scale(w, block, j) * dot;
                mins += min(w, block, j) * (xBlockSums[b * 16 + 2 * j] + xBlockSums[b * 16 + 2 * j + 1]);
            }
            float d = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block)) * xd[b];
            float dmin = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block + 2)) * xd[b];
            sum += d * scaled - dmin * mins;
        }
        return sum;
    }

    /** Q6_K weights against Q8_K activations: per super-block {@code d_w*d_x * sum(scale_g * q6.q8)}. */
    static float dotQ6_K(MemorySegment w, long byteOffset, byte[] xq, float[] xd, int xBlock, int blocks) {
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
