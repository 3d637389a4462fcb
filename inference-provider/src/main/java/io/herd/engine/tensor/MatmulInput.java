package io.herd.engine.tensor;

/**
 * One input vector of a matrix-vector product together with the derived forms that weight types ask
 * for ({@link ActivationFormat}). Derived forms are computed once per {@link #set} and shared by every
 * matmul that reads the same input (e.g. the Q, K and V projections). Buffers are reused: no allocation
 * per token once sized.
 */
public final class MatmulInput {

    public static final int Q8_0_BLOCK = 32;
    public static final int Q8_K_BLOCK = 256;

    private float[] source;
    private int offset;
    private int length;
    /** Counts {@link #set} calls: packed copies of the derived forms are current while it is unchanged. */
    private long version;

    private float[] rounded = new float[0];
    private ActivationFormat roundedFormat;

    /**
     * Q8_0 form: quants and per-block scales, plus the copies that kernels multiply with, each made only when a
     * weight type asks for it (a Q8_0 model never needs the short or the natural-order float copy, for example).
     */
    private byte[] q8 = new byte[0];
    private float[] q8Scales = new float[0];
    private boolean q8Ready;
    /** The Q4_0 kernels' form: quants as 16-bit values in {@link Q4_0Tensor}'s group order, 8 * block sums, scales. */
    private short[] q4Groups = new short[0];
    private short[] q4EightSums = new short[0];
    private float[] q4GroupScales = new float[0];
    private boolean q4GroupsReady;
    /** The Q8_0 kernels' form: quants as floats in {@link Q8_0Tensor}'s group order, and the scales padded to groups. */
    private float[] q8Lanes = new float[0];
    private float[] q8LaneScales = new float[0];
    private boolean q8LanesReady;

    /** Q8_K form. */
    private byte[] qK = new byte[0];
    private float[] qKScales = new float[0];
    private int[] qKBlockSums = new int[0];
    private boolean qKReady;
    private short[] qKLanes = new short[0];
    private int[] qKPairSums = new int[0];
    private boolean qKLanesReady;
    private short[] qKSixLanes = new short[0];
    private short[] qKSixCorrections = new short[0];
    private boolean qKSixLanesReady;

    public MatmulInput() {
    }

    public MatmulInput(float[] source) {
        set(source, 0, source.length);
    }

    /** Points this input at {@code source[offset, offset+length)}; derived forms are recomputed on demand. */
    public MatmulInput set(float[] source, int offset, int length) {
        this.source = source;
        this.offset = offset;
        this.length = length;
        this.version++;
        this.roundedFormat = null;
        this.q8Ready = false;
        this.q4GroupsReady = false;
        this.q8LanesReady = false;
        this.qKReady = false;
        this.qKLanesReady = false;
        this.qKSixLanesReady = false;
        return this;
    }

    public MatmulInput set(float[] source) {
        return set(source, 0, source.length);
    }

    public int length() {
        return length;
    }

    /** Changes with every {@link #set}, so a copy of the derived forms can tell it is current. */
    public long version() {
        return version;
    }

    public float[] source() {
        return source;
    }

    public int offset() {
        return offset;
    }

    /** The values rounded to {@code format} (F16 or BF16), starting at index 0. */
    public float[] rounded(ActivationFormat format) {
        if (roundedFormat != format) {
            if (rounded.length < length) {
                rounded = new float[length];
            }
            for (int i = 0; i < length; i++) {
                float v = source[offset + i];
                rounded[i] = switch (format) {
                    case F16 -> Numbers.roundToHalf(v);
                    case BF16 -> Numbers.roundToBfloat16(v);
                    default -> throw new IllegalArgumentException("not a rounding format: " + format);
                };
            }
            roundedFormat = format;
        }
        return rounded;
    }

    public byte[] q8Quants() {
        prepareQ8_0();
        return q8;
    }

    public float[] q8Scales() {
        prepareQ8_0();
        return q8Scales;
    }

    /**
     * For the Q4_0 kernels ({@link Q4_0Tensor}'s groups of 16 blocks): the Q8_0 quants as shorts, 512 per group, in
     * runs of 16 where position {@code 64t + 16k + l} holds quant {@code 4t + k} of block {@code 16g + l}, so each run
     * meets nibble k of the weights' run t. Blocks past the end of the input are 0. Call it (and so make
     * {@link #q4EightSums} and {@link #q4GroupScales}) before threads share the input: on the thread that prepares it
     * (see {@link FloatTensor#prepare}), or in a pool loop of its own, which ends before the next loop starts.
     */
    public short[] q4Groups() {
        prepareQ4Groups();
        return q4Groups;
    }

    /**
     * 8 times the sum of each block's quants, 16 per group: the kernels multiply the unsigned nibbles and subtract
     * this, which equals multiplying {@code nibble - 8}.
     */
    public short[] q4EightSums() {
        prepareQ4Groups();
        return q4EightSums;
    }

    /**
     * The block scales, 16 per group in the order the kernels split a group's 16-bit lanes into two float vectors:
     * blocks {@code 0, 2, .., 14} then {@code 1, 3, .., 15}. Missing blocks have scale 0.
     */
    public float[] q4GroupScales() {
        prepareQ4Groups();
        return q4GroupScales;
    }

    private void prepareQ4Groups() {
        prepareQ8_0();
        if (q4GroupsReady) {
            return;
        }
        int blocks = length / Q8_0_BLOCK;
        int groups = (blocks + 15) / 16;
        if (q4Groups.length < groups * 512) {
            q4Groups = new short[groups * 512];
            q4EightSums = new short[groups * 16];
            q4GroupScales = new float[groups * 16];
        }
        writeQ4Groups(groups, q4Groups, 0, 16, q4EightSums, q4GroupScales, 0, 16);
        q4GroupsReady = true;
    }

    /**
     * Writes the {@link #q4Groups} form of the first {@code groups} groups (and {@link #q4EightSums},
     * {@link #q4GroupScales}) into arrays of another layout: element e of group g's 16 blocks at
     * {@code quants[quantsAt + (32g + e) * runStride ..+16]}, the group's sums and scales at
     * {@code sumsAt + g * sumsStride}. With strides of 16 that is this input's own form; the batched Q4_0 product
     * packs several inputs side by side with wider strides, straight from the Q8_0 quants.
     */
    void writeQ4Groups(int groups, short[] quants, int quantsAt, int runStride, short[] sums, float[] scales, int sumsAt,
                       int sumsStride) {
        prepareQ8_0();
        int blocks = length / Q8_0_BLOCK;
        for (int g = 0; g < groups; g++) {
            int present = Math.max(0, Math.min(16, blocks - g * 16));
            int at = quantsAt + 32 * g * runStride;
            for (int e = 0; e < Q8_0_BLOCK; e++, at += runStride) {
                writeRun(g, e, present, quants, at);
            }
            writeSumsAndScales(g, present, sums, scales, sumsAt + g * sumsStride);
        }
    }

    /**
     * Writes the first {@code groups} groups for the 512-bit batched Q4_0 kernel, which reads a group's elements
     * {@code e} and {@code e + 4} of its 16 blocks as one vector: element e of group g at
     * {@code quants[quantsAt + g * groupStride + ((e >> 3) * 4 + (e & 3)) * stepStride + ((e >> 2) & 1) * 16 ..+16]},
     * and the sums and scales as {@link #writeQ4Groups} writes them.
     */
    void writeQ4Wide(int groups, short[] quants, int quantsAt, int groupStride, int stepStride, short[] sums, float[] scales,
                     int sumsAt, int sumsStride) {
        prepareQ8_0();
        int blocks = length / Q8_0_BLOCK;
        for (int g = 0; g < groups; g++) {
            int present = Math.max(0, Math.min(16, blocks - g * 16));
            for (int e = 0; e < Q8_0_BLOCK; e++) {
                writeRun(g, e, present, quants, quantsAt + g * groupStride + ((e >> 3) * 4 + (e & 3)) * stepStride + ((e >> 2) & 1) * 16);
            }
            writeSumsAndScales(g, present, sums, scales, sumsAt + g * sumsStride);
        }
    }

    /** Element {@code e} of group g's 16 blocks (the first {@code present} of them; zeros after) at {@code quants[at ..+16]}. */
    private void writeRun(int g, int e, int present, short[] quants, int at) {
        int from = g * 16 * Q8_0_BLOCK + e;
        for (int lane = 0; lane < present; lane++) {
            quants[at + lane] = q8[from + lane * Q8_0_BLOCK];
        }
        java.util.Arrays.fill(quants, at + present, at + 16, (short) 0);
    }

    /** Group g's 8 times block sums and its scales (even blocks, then odd ones) at {@code slot}. */
    private void writeSumsAndScales(int g, int present, short[] sums, float[] scales, int slot) {
        for (int lane = 0; lane < 16; lane++) {
            int sum = 0;
            if (lane < present) {
                for (int e = 0, b = (g * 16 + lane) * Q8_0_BLOCK; e < Q8_0_BLOCK; e++) {
                    sum += q8[b + e];
                }
            }
            sums[slot + lane] = (short) (8 * sum);
            scales[slot + (lane % 2) * 8 + lane / 2] = lane < present ? q8Scales[g * 16 + lane] : 0f;
        }
    }

    /**
     * For the Q8_0 kernels ({@link Q8_0Tensor}'s groups of 8 blocks): the quants as floats, 256 per group, where
     * position {@code 256g + 8j + l} holds quant j of block {@code 8g + l}, so each run of 8 meets the weights' quant j
     * of the group's 8 blocks. Blocks past the end of the input are 0. Call it before threads share the input:
     * on the thread that prepares it (see {@link FloatTensor#prepare}), or in a pool loop of its own.
     */
    public float[] q8Lanes() {
        prepareQ8Lanes();
        return q8Lanes;
    }

    /** The block scales, 8 per group (the last group padded with 0): lane l of group g is block {@code 8g + l}. */
    public float[] q8LaneScales() {
        prepareQ8Lanes();
        return q8LaneScales;
    }

    private void prepareQ8Lanes() {
        prepareQ8_0();
        if (q8LanesReady) {
            return;
        }
        int blocks = length / Q8_0_BLOCK;
        int groups = (blocks + 7) / 8;
        if (q8Lanes.length < groups * 256) {
            q8Lanes = new float[groups * 256];
            q8LaneScales = new float[groups * 8];
        }
        for (int b = 0; b < groups * 8; b++) {
            int at = (b / 8) * 256 + b % 8;
            for (int j = 0; j < Q8_0_BLOCK; j++) {
                q8Lanes[at + 8 * j] = b < blocks ? q8[b * Q8_0_BLOCK + j] : 0;
            }
            q8LaneScales[b] = b < blocks ? q8Scales[b] : 0f;
        }
        q8LanesReady = true;
    }

    public byte[] qKQuants() {
        prepareQ8_K();
        return qK;
    }


    /**
     * For the Q4_K kernel ({@link Q4_KTensor}'s repacked words): the Q8_K quants as shorts, 256 per super-block in 16
     * runs of 16, where lane {@code L} of run {@code 4t + p} holds element {@code 16 * (L % 2) + 4t + p} of sub-block
     * {@code L / 2}: the element that nibble p of lane L of the weights' word t meets. Call it (and so make
     * {@link #qKPairSums}) before threads share the input, as {@link #q4Groups}.
     */
    public short[] qKLanes() {
        prepareQKLanes();
        return qKLanes;
    }

    /** The sums of each 32-quant sub-block's Q8_K quants (two of {@link #qKBlockSums}), 8 per super-block. */
    public int[] qKPairSums() {
        prepareQKLanes();
        return qKPairSums;
    }

    private void prepareQKLanes() {
        prepareQ8_K();
        if (qKLanesReady) {
            return;
        }
        if (qKLanes.length < length) {
            qKLanes = new short[length];
            qKPairSums = new int[length / 32];
        }
        for (int block = 0; block < length; block += Q8_K_BLOCK) {
            for (int run = 0; run < 16; run++) {
                for (int lane = 0; lane < 16; lane++) {
                    qKLanes[block + 16 * run + lane] = qK[block + 32 * (lane / 2) + 16 * (lane % 2) + run];
                }
            }
        }
        for (int s = 0; s < length / 32; s++) {
            qKPairSums[s] = qKBlockSums[2 * s] + qKBlockSums[2 * s + 1];
        }
        qKLanesReady = true;
    }

    /**
     * For the Q6_K kernel ({@link Q6_KTensor}'s repacked words): the Q8_K quants as shorts, 256 per super-block in 16
     * runs of 16, where lane {@code j} of run {@code r} holds element {@code r} of the 16-element sub-block j. Call it
     * (and so make {@link #qKSixCorrections}) before threads share the input, as {@link #q4Groups}.
     */
    public short[] qKSixLanes() {
        prepareQKSixLanes();
        return qKSixLanes;
    }

    /**
     * 32 times the sum of each half (8 quants) of each 16-element sub-block, 32 per super-block: first half for
     * sub-blocks 0-15, then the second half. The Q6_K kernel multiplies unsigned 6-bit quants and subtracts this,
     * which equals multiplying {@code q - 32}.
     */
    public short[] qKSixCorrections() {
        prepareQKSixLanes();
        return qKSixCorrections;
    }

    private void prepareQKSixLanes() {
        prepareQ8_K();
        if (qKSixLanesReady) {
            return;
        }
        if (qKSixLanes.length < length) {
            qKSixLanes = new short[length];
            qKSixCorrections = new short[length / 8];
        }
        for (int block = 0; block < length; block += Q8_K_BLOCK) {
            for (int run = 0; run < 16; run++) {
                for (int lane = 0; lane < 16; lane++) {
                    qKSixLanes[block + 16 * run + lane] = qK[block + 16 * lane + run];
                }
            }
            for (int half = 0; half < 2; half++) {
                for (int lane = 0; lane < 16; lane++) {
                    int sum = 0;
                    for (int e = 0; e < 8; e++) {
                        sum += qK[block + 16 * lane + 8 * half + e];
                    }
                    qKSixCorrections[block / 8 + 16 * half + lane] = (short) (32 * sum);
                }
            }
        }
        qKSixLanesReady = true;
    }

    public float[] qKScales() {
        prepareQ8_K();
        return qKScales;
    }

    /** Sum of the quants of each group of 16 (ggml bsums). */
    public int[] qKBlockSums() {
        prepareQ8_K();
        return qKBlockSums;
    }

    private void prepareQ8_0() {
        if (q8Ready) {
            return;
        }
        if (length % Q8_0_BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 activations need a multiple of 32 values, got " + length);
        }
        if (q8.length < length) {
            q8 = new byte[length];
            q8Scales = new float[length / Q8_0_BLOCK];
        }
        ActivationQuantizer.quantizeQ8_0(source, offset, length, q8, q8Scales);
        q8Ready = true;
    }

    private void prepareQ8_K() {
        if (qKReady) {
            return;
        }
        if (length % Q8_K_BLOCK != 0) {
            throw new IllegalArgumentException("Q8_K activations need a multiple of 256 values, got " + length);
        }
        if (qK.length < length) {
            qK = new byte[length];
            qKScales = new float[length / Q8_K_BLOCK];
            qKBlockSums = new int[length / 16];
        }
        ActivationQuantizer.quantizeQ8_K(source, offset, length, qK, qKScales, qKBlockSums);
        qKReady = true;
    }
}
