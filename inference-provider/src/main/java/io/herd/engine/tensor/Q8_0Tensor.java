package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/**
 * ggml block_q8_0 weights (32 values per block: fp16 scale d, 32 int8 quants, value = q * d), repacked at load into
 * groups of 8 blocks in which block l of the group owns float lane l of every vector:
 * <ul>
 *   <li>quants: 256 bytes per group; byte {@code 8j + l} is quant j of block l. One 8-byte load widened to 8
 *       floats gives element j of all 8 blocks, so a multiply-add per element against the activations in the same
 *       order ({@link MatmulInput#q8Lanes}) leaves every block's exact dot product in its own lane (products and their
 *       sums are integers below 2^24, exact in float): no shuffles or shifts to unpack, no horizontal sums per block.</li>
 *   <li>scales: the group's 8 fp16 scales, converted in vector form by the kernels.</li>
 * </ul>
 * Each row (of {@code rowLength} elements, given at load) starts a new group; a row whose block count is not a
 * multiple of 8 is padded with blocks of value 0 (scale 0, quants 0). The batched kernel ({@link QuantizedGemm})
 * needs this most: in ggml's 34-byte blocks, unpacking the 4 bytes of each int cost more than the arithmetic.
 */
public final class Q8_0Tensor extends FloatTensor {

    static final int BLOCK = 32;
    static final int GGML_BLOCK_BYTES = 34;
    static final int GROUP_BLOCKS = 8;
    /** Bytes of quants per group of 8 blocks. */
    static final int GROUP_BYTES = 256;

    /** The groups' quants, {@link #GROUP_BYTES} per group. */
    private final byte[] quants;
    /** The groups' fp16 scales, 8 per group. */
    private final short[] scales;
    private final RowGroups layout;

    private Q8_0Tensor(byte[] quants, short[] scales, long size, RowGroups layout) {
        super(MemorySegment.ofArray(quants), size);
        this.quants = quants;
        this.scales = scales;
        this.layout = layout;
    }

    /** Groups that hold {@code elements} elements (a multiple of 32), the last one padded. */
    static long groupsFor(long elements) {
        return RowGroups.groupsFor(elements, GROUP_BLOCKS);
    }

    /**
     * Repacks {@code size} elements of ggml Q8_0 blocks from {@code ggml}, rows of {@code rowLength} elements (a
     * multiple of 32 that divides {@code size}), into Java arrays, which the kernels index with an int (see
     * {@link Q4_0Tensor#repack}).
     */
    static Q8_0Tensor repack(MemorySegment ggml, long size, long rowLength) {
        RowGroups layout = RowGroups.of("Q8_0", size, rowLength, GROUP_BLOCKS);
        long rows = size / rowLength;
        long blocksPerRow = layout.blocksPerRow();
        long groupsPerRow = layout.groupsPerRow();
        long groups = rows * groupsPerRow;
        if (groups * GROUP_BYTES > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("Q8_0 tensor of " + size + " elements is larger than one Java array holds");
        }
        byte[] quants = new byte[(int) (groups * GROUP_BYTES)];
        short[] scales = new short[(int) (groups * GROUP_BLOCKS)];
        // padding blocks stay as the arrays start: quants 0, scale 0; ranges of rows in parallel, each writing its own
        // groups, with one row's bytes copied out at a time
        inParallel(rows, (firstRow, endRow) -> {
            byte[] bytes = new byte[(int) (blocksPerRow * GGML_BLOCK_BYTES)];
            for (long row = firstRow; row < endRow; row++) {
                MemorySegment.copy(ggml, Numbers.BYTE, row * blocksPerRow * GGML_BLOCK_BYTES, bytes, 0, bytes.length);
                for (int b = 0; b < blocksPerRow; b++) {
                    int from = b * GGML_BLOCK_BYTES;
                    long group = row * groupsPerRow + b / GROUP_BLOCKS;
                    int lane = b % GROUP_BLOCKS;
                    scales[scaleIndex(group, lane)] = (short) ((bytes[from] & 0xFF) | bytes[from + 1] << 8);
                    for (int j = 0; j < BLOCK; j++) {
                        quants[quantIndex(group, lane, j)] = bytes[from + 2 + j];
                    }
                }
            }
        });
        return new Q8_0Tensor(quants, scales, size, layout);
    }

    /** Index in the quants of quant {@code j} of lane {@code lane} of group {@code group}. */
    static int quantIndex(long group, int lane, int j) {
        return (int) group * GROUP_BYTES + GROUP_BLOCKS * j + lane;
    }

    static int scaleIndex(long group, int lane) {
        return (int) group * GROUP_BLOCKS + lane;
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q8_0;
    }

    @Override
    public ActivationFormat activationFormat() {
        return ActivationFormat.Q8_0;
    }


    private byte quant(long index) {
        return quants[quantIndex(layout.group(index), layout.lane(index), (int) (index % BLOCK))];
    }

    private float scale(long index) {
        return Numbers.halfToFloat(scales[scaleIndex(layout.group(index), layout.lane(index))]);
    }

    @Override
    public float getFloat(long index) {
        return quant(index) * scale(index);
    }

    /** Whether elements {@code [offset, offset + n)} are whole groups of one row, as the vector kernels read them. */
    boolean inWholeGroups(long offset, long n) {
        return layout.inWholeGroups(offset, n);
    }

    @Override
    public float dot(long thisOffset, MatmulInput input, int size) {
        if (Kernels.VECTOR && inWholeGroups(thisOffset, size)) {
            return VectorKernels.dotQ8_0(quants, scales, (int) layout.group(thisOffset), input.q8Lanes(), input.q8LaneScales(),
                    (int) groupsFor(size));
        }
        return dotScalar(thisOffset, input.q8Quants(), input.q8Scales(), size);
    }

    /** ggml's Q8_0 x Q8_0 order: per block the exact integer dot, then {@code sum += dot * (d_w * d_x)}. */
    float dotScalar(long thisOffset, byte[] xq, float[] xd, int size) {
        float sum = 0;
        for (int b = 0; b < size / BLOCK; b++) {
            long first = thisOffset + (long) b * BLOCK;
            long group = layout.group(first);
            int lane = layout.lane(first);
            int dot = 0;
            for (int j = 0; j < BLOCK; j++) {
                dot += quants[quantIndex(group, lane, j)] * xq[b * BLOCK + j];
            }
            sum += dot * (scale(first) * xd[b]);
        }
        return sum;
    }

    @Override
    public float dot(long thisOffset, float[] that, int thatOffset, int size) {
        if (thisOffset % BLOCK != 0 || size % BLOCK != 0) {
            return super.dot(thisOffset, that, thatOffset, size);
        }
        float sum = 0;
        for (int i = 0; i < size; i += BLOCK) {
            long group = layout.group(thisOffset + i);
            int lane = layout.lane(thisOffset + i);
            float blockSum = 0;
            for (int j = 0; j < BLOCK; j++) {
                blockSum += quants[quantIndex(group, lane, j)] * that[thatOffset + i + j];
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
            long group = layout.group(offset + i);
            int lane = layout.lane(offset + i);
            float d = scale(offset + i);
            for (int j = 0; j < BLOCK; j++) {
                dst[dstOffset + i + j] = quants[quantIndex(group, lane, j)] * d;
            }
        }
    }

    /**
     * Matrices whose rows are whole groups take {@link QuantizedGemm} (row r then starts at group {@code r * groups});
     * others the single-row loop.
     */
    @Override
    boolean multiplyBatch(MatmulInput[] inputs, int count, float[][] outputs, int[] outputOffsets, int rows, int cols, Parallel pool) {
        if (!layout.rowsAreWholeGroups(cols)) {
            return false;
        }
        QuantizedGemm.multiplyQ8_0(quants, scales, inputs, count, outputs, outputOffsets, rows, cols, pool);
        return true;
    }

    /** The vector path takes rows four at a time ({@link VectorKernels#dotQ8_0Rows}); results equal {@link #dot} row by row. */
    @Override
    public void matmul(MatmulInput x, float[] out, int outOffset, int rows, int cols, Parallel pool) {
        if (!Kernels.VECTOR || !layout.rowsAreWholeGroups(cols)) {
            super.matmul(x, out, outOffset, rows, cols, pool);
            return;
        }
        checkMatmul(x, rows, cols);
        prepare(x);
        int groups = (int) groupsFor(cols);
        float[] xq = x.q8Lanes();
        float[] xd = x.q8LaneScales();
        forRowSets(rows, 4, pool, (first, stride, count) -> {
            if (count == 1) {
                out[outOffset + first] = VectorKernels.dotQ8_0(quants, scales, first * groups, xq, xd, groups);
            } else {
                VectorKernels.dotQ8_0Rows(quants, scales, first * groups, stride * groups, xq, xd, groups, out,
                        outOffset + first, stride);
            }
        });
    }

    /** The vector kernels read {@link MatmulInput#q8Lanes}: made here, before rows fan out. */
    @Override
    protected void prepare(MatmulInput x) {
        super.prepare(x);
        if (Kernels.VECTOR) {
            x.q8Lanes();
        }
    }
}
