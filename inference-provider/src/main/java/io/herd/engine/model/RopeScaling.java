package io.herd.engine.model;

/** RoPE frequency adjustments of long-context Llama models. */
public final class RopeScaling {

    private RopeScaling() {
    }

    /**
     * Llama 3.1's per-pair frequency divisors (Meta's {@code apply_scaling}): high frequencies are kept,
     * frequencies whose wavelength exceeds {@code originalContext / lowFreqFactor} are divided by
     * {@code factor}, and the band between is interpolated smoothly. Returns what llama.cpp stores in the
     * {@code rope_freqs} tensor.
     */
    public static float[] llama3FrequencyFactors(int headSize, double theta, double factor, double lowFreqFactor,
                                                 double highFreqFactor, double originalContext) {
        if (factor <= 0 || lowFreqFactor <= 0 || highFreqFactor <= lowFreqFactor || originalContext <= 0) {
            throw new IllegalArgumentException("invalid Llama 3 rope scaling: factor " + factor + ", low " + lowFreqFactor
                    + ", high " + highFreqFactor + ", original context " + originalContext);
        }
        double lowFreqWavelength = originalContext / lowFreqFactor;
        double highFreqWavelength = originalContext / highFreqFactor;
        float[] factors = new float[headSize / 2];
        for (int i = 0; i < factors.length; i++) {
            double frequency = Math.pow(theta, -2.0 * i / headSize);
            double wavelength = 2 * Math.PI / frequency;
            double scaled;
            if (wavelength < highFreqWavelength) {
                scaled = frequency;
            } else if (wavelength > lowFreqWavelength) {
                scaled = frequency / factor;
            } else {
                double smooth = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                scaled = (1 - smooth) * frequency / factor + smooth * frequency;
            }
            factors[i] = (float) (frequency / scaled);
        }
        return factors;
    }
}
