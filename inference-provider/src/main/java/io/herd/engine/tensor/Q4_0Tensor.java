package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/**
 * ggml block_q4_0 weights (32 values per block: fp16 scale d, 32 nibbles, value = (nibble - 8) * d), repacked at
 * load into groups of 16 blocks in which block l of the group owns 16-bit lane l of every vector:
 * <ul>
 *   <li>quants: 128 shorts (256 bytes) at the start of each group, 8 runs t = 0..7 of 16 shorts; short l of run t holds
 *       elements {@code 4t .. 4t+3} of block l, element {@code 4t+k} in bits {@code 4k..4k+3}. One 32-byte load and
 *       a shift and mask per k give one element of all 16 blocks, so a multiply-add per element against the
 *       activations in the same order ({@link MatmulInput#q4Groups}) leaves every block's exact dot product in its
 *       own lane: no horizontal sums, and the 16 scales are applied with two vector multiply-adds.</li>
 *   <li>scales: the group's 16 fp16 scales, right after its quants, converted in vector form by the kernels.</li>
 * </ul>
 * Each row (of {@code rowLength} elements, given at load) starts a new group; a row whose block count is not a
 * multiple of 16 is padded with blocks of value 0 (scale 0, nibbles 8). llama.cpp repacks Q4_0 on AVX2 for the same
 * reason: the ggml layout puts elements i and i + 16 in one byte and the scale at an 18-byte stride.
 */
public final class Q4_0Tensor extends FloatTensor {

    static final int BLOCK = 32;
    static final int GGML_BLOCK_BYTES = 18;
    static final int GROUP_BLOCKS = 16;
    /**
     * Shorts per group of 16 blocks: 128 of quants (256 bytes), then the 16 fp16 scales, so a row is one memory stream
     * (see {@link #repack}).
     */
    static final int GROUP_SHORTS = 144;
    /** Where a group's scales start within it. */
    static final int SCALES_AT = 128;
    /** Runs of 16 nibbles per group: nibble k of each of its 8 words of 16 shorts. */
    static final int GROUP_RUNS = 32;

    /** The groups, {@link #GROUP_SHORTS} shorts each: quants, then scales. */
    private final short[] packed;
    private final RowGroups layout;

    private Q4_0Tensor(short[] packed, long size, RowGroups layout) {
        super(MemorySegment.ofArray(packed), size);
        this.packed = packed;
        this.layout = layout;
    }

    /** Groups that hold {@code elements} elements (a multiple of 32), the last one padded. */
    static long groupsFor(long elements) {
        return RowGroups.groupsFor(elements, GROUP_BLOCKS);
    }

    /**
     * Repacks {@code size} elements of ggml Q4_0 blocks from {@code ggml}, rows of {@code rowLength} elements (a
     * multiple of 32 that divides {@code size}), into a Java array: the kernels index arrays with an int, which C2
     * compiles to tighter loops than long offsets into off-heap memory (the 4-row decode kernel on a 2048-column
     * matrix, cache-resident: 1.20 -> 0.96 ns per block; DRAM-resident: 1.33 -> 1.22, alternating in one JVM). Each
     * group's scales follow its quants, so a row is one memory stream for the hardware prefetcher: with the scales in
     * an array of their own, DRAM-resident, 1.19-1.27 ns per block against 1.06-1.09 (same harness).
     */
    static Q4_0Tensor repack(MemorySegment ggml, long size, long rowLength) {
        RowGroups layout = RowGroups.of("Q4_0", size, rowLength, GROUP_BLOCKS);
        long rows = size / rowLength;
        long blocksPerRow = layout.blocksPerRow();
        long groupsPerRow = layout.groupsPerRow();
        long groupCount = rows * groupsPerRow;
        if (groupCount * GROUP_SHORTS > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("Q4_0 tensor of " + size + " elements is larger than one Java array holds");
        }
        short[] packed = new short[(int) (groupCount * GROUP_SHORTS)];
        // padding blocks: nibbles 8 (value 0) and scale 0
        for (int g = 0; g < groupCount; g++) {
            java.util.Arrays.fill(packed, g * GROUP_SHORTS, g * GROUP_SHORTS + SCALES_AT, (short) 0x8888);
        }
        // ranges of rows in parallel, each writing its own groups
        inParallel(rows, (firstRow, endRow) -> {
            for (long row = firstRow; row < endRow; row++) {
            for (long b = 0; b < blocksPerRow; b++) {
                long from = (row * blocksPerRow + b) * GGML_BLOCK_BYTES;
                int group = (int) (row * groupsPerRow + b / GROUP_BLOCKS);
                int lane = (int) (b % GROUP_BLOCKS);
                packed[scaleIndex(group, lane)] = ggml.get(Numbers.SHORT_LE, from);
                long low = ggml.get(Numbers.LONG_LE, from + 2);   // bytes 0..7: elements 0..7 and 16..23
                long high = ggml.get(Numbers.LONG_LE, from + 10); // bytes 8..15: elements 8..15 and 24..31
                for (int t = 0; t < 8; t++) {
                    int word = 0;
                    for (int k = 0; k < 4; k++) {
                        word |= ggmlNibble(low, high, 4 * t + k) << (4 * k);
                    }
                    packed[wordIndex(group, lane, t)] = (short) word;
                }
            }
            }
        });
        return new Q4_0Tensor(packed, size, layout);
    }

    /** Nibble of element {@code e} of a ggml block whose quant bytes are {@code low} (0..7) and {@code high} (8..15). */
    private static int ggmlNibble(long low, long high, int e) {
        int i = e % 16;
        long bytes = i < 8 ? low : high;
        int pair = (int) (bytes >>> (8 * (i % 8))) & 0xFF;
        return e < 16 ? pair & 0x0F : pair >>> 4;
    }

    /** Index in the quants of run {@code t} (elements 4t..4t+3) of lane {@code lane} of group {@code group}. */
    static int wordIndex(int group, int lane, int t) {
        return group * GROUP_SHORTS + 16 * t + lane;
    }

    static int scaleIndex(int group, int lane) {
        return group * GROUP_SHORTS + SCALES_AT + lane;
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_0;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.Q8_0;
    }


    private int nibble(long index) {
        int within = (int) (index % BLOCK);
        int word = packed[wordIndex((int) layout.group(index), layout.lane(index), within / 4)];
        return (word >>> (4 * (within % 4))) & 0x0F;
    }

    private float scale(long index) {
        return Numbers.halfToFloat(packed[scaleIndex((int) layout.group(index), layout.lane(index))]);
    }

    @Override
    public float getFloat(long index) {
        return (nibble(index) - 8) * scale(index);
    }

    /** Whether elements {@code [offset, offset + n)} are whole groups of one row, as the vector kernels read them. */
    boolean inWholeGroups(long offset, long n) {
        return layout.inWholeGroups(offset, n);
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        if (Kernels.VECTOR && inWholeGroups(thisOffset, size)) {
            return VectorKernels.dotQ4_0(packed, packed, (int) layout.group(thisOffset), input.q4Groups(), input.q4EightSums(),
                    input.q4GroupScales(), (int) groupsFor(size));
        }
        return dotScalar(thisOffset, input.q8Quants(), input.q8Scales(), size);
    }

    /** The vector path takes rows four at a time ({@link VectorKernels#dotQ4_0Rows}); results equal {@link #dot} row by row. */
    @Override
    public void matmul(MatmulInput x, float[] out, int outOffset, int rows, int cols, Parallel pool) {
        if (!Kernels.VECTOR || !layout.rowsAreWholeGroups(cols)) {
            super.matmul(x, out, outOffset, rows, cols, pool);
            return;
        }
        checkMatmul(x, rows, cols);
        prepare(x);
        int groups = (int) groupsFor(cols);
        short[] xq = x.q4Groups();
        short[] eightSums = x.q4EightSums();
        float[] xd = x.q4GroupScales();
        forRowSets(rows, 4, pool, (first, stride, count) -> {
            if (count == 1) {
                out[outOffset + first] = VectorKernels.dotQ4_0(packed, packed, first * groups, xq, eightSums, xd, groups);
            } else {
                VectorKernels.dotQ4_0Rows(packed, packed, first * groups, stride * groups, xq, eightSums, xd,
                        groups, out, outOffset + first, stride);
            }
        });
    }

    /** ggml's Q4_0 x Q8_0 order: per block the exact integer dot, then {@code sum += dot * (d_w * d_x)}. */
    float dotScalar(long thisOffset, byte[] xq, float[] xd, int size) {
        float sum = 0;
        for (int b = 0; b < size / BLOCK; b++) {
            long first = thisOffset + (long) b * BLOCK;
            int dot = 0;
            for (int e = 0; e < BLOCK; e++) {
                dot += (nibble(first + e) - 8) * xq[b * BLOCK + e];
            }
            sum += dot * (scale(first) * xd[b]);
        }
        return sum;
    }

    @Override
    public float dot(long thisOffset, float[] that, int thatOffset, int size) {
        float sum = 0;
        for (int i = 0; i < size; i += BLOCK) {
            float blockSum = 0;
            for (int e = 0; e < BLOCK; e++) {
                blockSum += (nibble(thisOffset + i + e) - 8) * that[thatOffset + i + e];
            }
            sum += blockSum * scale(thisOffset + i);
        }
        return sum;
    }

    @Override
    public void dequantize(long offset, float[] dst, int dstOffset, int n) {
        if (offset % BLOCK != 0 || n % BLOCK != 0) {
            super.dequantize(offset, dst, dstOffset, n);
            return;
        }
        for (int i = 0; i < n; i += BLOCK) {
            long first = offset + i;
            int group = (int) layout.group(first);
            int lane = layout.lane(first);
            float d = scale(first);
            for (int t = 0; t < 8; t++) {
                int word = packed[wordIndex(group, lane, t)];
                for (int k = 0; k < 4; k++) {
                    dst[dstOffset + i + 4 * t + k] = (((word >>> (4 * k)) & 0x0F) - 8) * d;
                }
            }
        }
    }

    /**
     * Matrices whose rows are whole groups take {@link QuantizedGemm} (row r then starts at group {@code r * groups});
     * others the single-row loop.
     */
    @Override
    boolean multiplyBatch(MatmulInput[] inputs, int count, float[][] outputs, int[] outputOffsets, int rows, int cols, Parallel pool) {
        return multiplyBatch(inputs, count, outputs, outputOffsets, rows, cols, QuantizedGemm.WIDE, pool);
    }

    /** {@link #multiplyBatch}, through the 512-bit kernel for groups of 5-8 inputs or not (tests take both on AVX-512). */
    boolean multiplyBatch(MatmulInput[] inputs, int count, float[][] outputs, int[] outputOffsets, int rows, int cols,
                          boolean wideKernel, Parallel pool) {
        if (!layout.rowsAreWholeGroups(cols)) {
            return false;
        }
        QuantizedGemm.multiplyQ4_0(packed, packed, inputs, count, outputs, outputOffsets, rows, cols, wideKernel, pool);
        return true;
    }

    /** The vector kernel reads {@link MatmulInput#q4Groups}: made here, before rows fan out. */
    @Override
    protected void prepare(MatmulInput x) {
        super.prepare(x);
        if (Kernels.VECTOR) {
            x.q4Groups();
        }
    }
}
