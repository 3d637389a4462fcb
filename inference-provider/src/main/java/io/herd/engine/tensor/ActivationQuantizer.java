package io.herd.engine.tensor;

/**
 * Quantizes activations exactly as ggml's x86 CPU backend does before a quantized dot product, so
 * that the integer products match llama.cpp's.
 */
public final class ActivationQuantizer {

    private ActivationQuantizer() {
    }

    /**
     * ggml {@code quantize_row_q8_0} (AVX2 path): per 32 values, {@code d = amax/127} stored as fp16,
     * {@code q = round-half-even(x * 127/amax)}. {@code scales} receives the fp16-rounded d as float.
     */
    public static void quantizeQ8_0(float[] x, int offset, int length, byte[] quants, float[] scales) {
        for (int block = 0; block < length / 32; block++) {
            int base = offset + block * 32;
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(x[base + i]));
            }
            float d = amax / 127f;
            float id = amax != 0 ? 127f / amax : 0f;
            scales[block] = Numbers.roundToHalf(d);
            for (int i = 0; i < 32; i++) {
                quants[block * 32 + i] = (byte) (int) Math.rint(x[base + i] * id);
            }
        }
    }

    /**
     * ggml {@code quantize_row_q8_K_ref}: per 256 values the signed value of largest magnitude gives
     * {@code iscale = -127/max}, {@code q = min(127, nearest(iscale*x))}, {@code d = 1/iscale} (float),
     * and the sums of each 16 quants.
     */
    public static void quantizeQ8_K(float[] x, int offset, int length, byte[] quants, float[] scales, int[] blockSums) {
        for (int block = 0; block < length / 256; block++) {
            int base = offset + block * 256;
            float max = 0;
            float amax = 0;
            for (int i = 0; i < 256; i++) {
                float ax = Math.abs(x[base + i]);
                if (ax > amax) {
                    amax = ax;
                    max = x[base + i];
                }
            }
            if (amax == 0) {
                scales[block] = 0;
                java.util.Arrays.fill(quants, block * 256, block * 256 + 256, (byte) 0);
                java.util.Arrays.fill(blockSums, block * 16, block * 16 + 16, 0);
                continue;
            }
            float iscale = -127f / max;
            for (int i = 0; i < 256; i++) {
                int v = (int) Math.rint(iscale * x[base + i]);
                quants[block * 256 + i] = (byte) Math.min(127, v);
            }
            for (int g = 0; g < 16; g++) {
                int sum = 0;
                for (int i = 0; i < 16; i++) {
                    sum += quants[block * 256 + g * 16 + i];
                }
                blockSums[block * 16 + g] = sum;
            }
            scales[block] = 1 / iscale;
        }
    }
}
