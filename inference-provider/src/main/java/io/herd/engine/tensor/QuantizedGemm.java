package io.herd.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-matrix product of Q8_0 or Q4_0 weights with 2 or more Q8_0 inputs (a prompt chunk, or the decode
 * steps of a batch). Each thread takes tiles of 16 weight rows and runs every pass of inputs over the tile while it
 * is in cache, each row streamed whole (the hardware prefetcher follows it). Tiles go out in guided chunks
 * ({@link Parallel#forRangeGuided}), so both threads finish together: with 4 fixed chunks per thread, the last chunk
 * left one thread idle for up to an eighth of each product (batch 8 on bench-1b-Q4_0 at 2 threads, alternating in
 * one JVM: 34.5 -> 37.2 tok/s aggregate decode). Each Q8_0 weight block is decoded once per 4 inputs, each Q4_0
 * block once per 8.
 * <ul>
 *   <li>Q8_0 reads each input's own {@link MatmulInput#q8Lanes} (already in the weights' lane order), 4 at a time.</li>
 *   <li>Q4_0 packs the inputs in groups of 8 ({@code [group][weight group][run][input][16]} quants as shorts, a short
 *       last group padded with zeros) so one array walk feeds every input, and a prompt's rows go by column chunks
 *       that keep the chunk's inputs in L1. With AVX-512 (512-bit vectors, 32 registers) groups of 5-8 inputs are
 *       packed for {@link #q4_0EightInputsWide} instead, into 64-byte aligned memory, and two rows share each input
 *       load.</li>
 * </ul>
 *
 * <p>Bit-identical to the single-input kernels ({@link VectorKernels#dotQ8_0}, {@link VectorKernels#dotQ4_0}): every
 * block's exact integer dot sits in its own lane (Q8_0: float sums of integers below 2^24; Q4_0: wrapping 16-bit sums,
 * corrected by the activation sums), then {@code acc = dot * (d_w * d_x) + acc} per lane in group order, and the lanes
 * are added as {@link VectorKernels#sum} does. So a sequence's tokens do not depend on which other sequences share its
 * batch. The per-input code is written out, not a helper: a helper C2 does not inline boxes its vector arguments and
 * runs 3x slower.
 */
final class QuantizedGemm {

    static final int GROUP = 8;
    private static final int TILE_ROWS = 16;
    private static final int LANES = 8;
    /** Q4_0 groups of this many inputs or fewer use the single-input kernel. */
    private static final int SMALL_GROUP = 3;

    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorShuffle<Float> ROTATE_FOUR = VectorShuffle.fromValues(F256, 4, 5, 6, 7, 0, 1, 2, 3);
    private static final VectorShuffle<Float> ROTATE_TWO = VectorShuffle.fromValues(F256, 2, 3, 0, 1, 6, 7, 4, 5);
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;

    /**
     * Per-thread accumulators: Q4_0's of one row tile (8 inputs x 16 lanes per row); Q8_0's two-row kernel uses the
     * first 64 (2 rows x 4 inputs x 8 lanes), and its one-row kernel the first 4 as results.
     */
    private static final ThreadLocal<float[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[(TILE_ROWS + 1) * GROUP * 2 * LANES]);
    /** Q4_0's accumulators per row: 16 lanes for each of 8 inputs. */
    private static final int ROW_ACCUMULATORS = GROUP * 2 * LANES;
    /** Where a Q4_0 row paired with itself puts its twin's accumulators: past the tile's. */
    private static final int SPARE_ROW = TILE_ROWS * ROW_ACCUMULATORS;
    /**
     * Steps of {@link #q4_0EightInputsWide} per weight group. A parameter, not a constant in the loop: with a trip count
     * C2 can see, it unrolls the loop, hoists its loads and spills the sums.
     */
    private static final int WIDE_STEPS = 16;
    /**
     * Per-thread block sums of {@link #q4_0EightInputs}'s 8 inputs (two rows' of {@link #q4_0EightInputsWide}, 32
     * lanes each), on their way to the accumulators.
     */
    private static final ThreadLocal<short[]> EIGHT_INPUT_SUMS = ThreadLocal.withInitial(() -> new short[2 * GROUP * 32]);
    /**
     * Whether groups of 5-8 inputs go through {@link #q4_0EightInputsWide}, two rows at a time in 512-bit vectors:
     * only where the CPU has them and 32 vector registers (AVX-512), which its 16 sums, 2 runs and an input need.
     * With AVX2's 16 registers two rows spilled and ran 1.23x slower than one row at a time (see docs/benchmarks.md).
     */
    static final boolean WIDE = ShortVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    /**
     * Q4_0 weight groups (512 columns) per column chunk of a prompt's product: 8 inputs' chunk is 16 KiB. Measured
     * per block and input at 1 thread: 1.52 ns (2 groups), 1.61 (1 or 4), 1.68-1.81 (whole rows).
     */
    private static final int CHUNK_GROUPS = 2;
    /** Packed activations of the calling thread's current product. */
    private static final ThreadLocal<PackedInputs> PACKED = ThreadLocal.withInitial(PackedInputs::new);

    private QuantizedGemm() {
    }

    private static final class PackedInputs {
        /** Q8_0: each input's {@link MatmulInput#q8Lanes} and {@link MatmulInput#q8LaneScales}, made before rows fan out. */
        float[][] lanes = new float[0][];
        float[][] laneScales = new float[0][];
        /**
         * Q4_0: the quants in {@link MatmulInput#q4Groups} order by runs of 16, {@code [group][weight group][run][input][16]};
         * a wide group's in {@link MatmulInput#writeQ4Wide}'s layout, the same size.
         */
        short[] groupQuants = new short[0];
        /** Q4_0: {@link MatmulInput#q4EightSums}, {@code [group][weight group][input][16]}. */
        short[] eightSums = new short[0];
        /** Q4_0: {@link MatmulInput#q4GroupScales}, {@code [group][weight group][input][16]}. */
        float[] groupScales = new float[0];
        /**
         * Q4_0, the groups of 5-8 inputs packed for {@link #q4_0EightInputsWide} ({@link #groupQuants} holds them in
         * {@link MatmulInput#writeQ4Wide}'s layout, {@code [group][weight group][step][input][32]}, on the way here), off
         * the heap and 64-byte aligned: a Java array starts wherever the allocator put it, and a 512-bit load
         * that crosses a 32-byte boundary costs a second load (an array 16 bytes past a 64-byte boundary against one on
         * it, batch 8 at 1 thread on Zen 4, alternating in one JVM: 0.75 -> 0.70 ns per block and input).
         */
        MemorySegment wideQuants = MemorySegment.NULL;
        /** Whether group g was packed wide. */
        boolean[] wideGroup = new boolean[0];

        /** Q4_0: the inputs (and their {@link MatmulInput#version}s) packed last, so Q, K and V pack once. */
        MatmulInput[] packedFrom = new MatmulInput[0];
        long[] packedVersions = new long[0];
        int packedCount;
        int packedWeightGroups;
        boolean packedWide;

        /**
         * Collects the Q8_0 forms of {@code count} inputs, made across the pool (one input per index) before rows
         * fan out: made one after another on the calling thread, they left the other threads waiting.
         */
        void collectQ8_0(MatmulInput[] inputs, int count, Parallel pool) {
            if (lanes.length < count) {
                lanes = new float[count][];
                laneScales = new float[count][];
            }
            pool.forRange(count, (start, end) -> {
                for (int i = start; i < end; i++) {
                    inputs[i].q8Lanes();
                }
            });
            for (int i = 0; i < count; i++) {
                lanes[i] = inputs[i].q8Lanes();
                laneScales[i] = inputs[i].q8LaneScales();
            }
        }

        /**
         * Packs {@code count} inputs for Q4_0 weights in {@code weightGroups} groups of 16 blocks, {@code groups}
         * groups of 8 inputs; slots beyond {@code count} hold zeros. Each input is made and packed by one thread of
         * the pool, into its own slots. Nothing is done when these inputs, unchanged, were the last packed (the Q, K
         * and V projections of a layer read the same inputs).
         */
        void packQ4_0(MatmulInput[] inputs, int count, int groups, int weightGroups, boolean wideKernel, Parallel pool) {
            if (samePacked(inputs, count, weightGroups, wideKernel)) {
                return;
            }
            int quantsLength = groups * GROUP * weightGroups * 512;
            if (groupQuants.length < quantsLength) {
                groupQuants = new short[quantsLength];
                eightSums = new short[groups * GROUP * weightGroups * 16];
                groupScales = new float[groups * GROUP * weightGroups * 16];
            }
            if (wideGroup.length < groups) {
                wideGroup = new boolean[groups];
            }
            boolean anyWide = false;
            for (int g = 0; g < groups; g++) {
                // the wide kernel computes its input offsets in bytes as ints (8% faster than longs)
                wideGroup[g] = wideKernel && count - g * GROUP > 4 && 2L * quantsLength <= Integer.MAX_VALUE;
                anyWide |= wideGroup[g];
            }
            // the wide groups come first (only the last group can be short)
            int wideLength = (wideGroup[groups - 1] ? groups : groups - 1) * GROUP * weightGroups * 512;
            if (anyWide && wideQuants.byteSize() < 2L * wideLength) {
                wideQuants = Arena.ofAuto().allocate(2L * wideLength, 64);
            }
            short[] quants = groupQuants;
            short[] sums = eightSums;
            float[] scales = groupScales;
            boolean[] wide = wideGroup;
            pool.forRange(groups * GROUP, (start, end) -> {
                for (int i = start; i < end; i++) {
                    pack(i < count ? inputs[i] : null, i, weightGroups, quants, wide[i / GROUP], sums, scales);
                }
            });
            if (anyWide) {
                MemorySegment.copy(quants, 0, wideQuants, ValueLayout.JAVA_SHORT, 0, wideLength);
            }
            if (packedFrom.length < count) {
                packedFrom = new MatmulInput[count];
                packedVersions = new long[count];
            }
            for (int i = 0; i < count; i++) {
                packedFrom[i] = inputs[i];
                packedVersions[i] = inputs[i].version();
            }
            packedCount = count;
            packedWeightGroups = weightGroups;
            packedWide = wideKernel;
        }

        /**
         * Packs input {@code i} (null: a padding slot, all zeros) into its slots, straight from its Q8_0 quants
         * ({@link MatmulInput#writeQ4Groups}, or {@link MatmulInput#writeQ4Wide} for a {@code wide} group). Going
         * through {@link MatmulInput#q4Groups} and a copy per run of 16 took a third longer (batch 8 on bench-1b-Q4_0
         * at 1 thread, alternating in one JVM: 587 -> 443 ms of packing over 94 decode steps).
         */
        private static void pack(MatmulInput input, int i, int weightGroups, short[] quants, boolean wide, short[] sums,
                                 float[] scales) {
            int g = i / GROUP;
            int n = i % GROUP;
            int sumsAt = (g * weightGroups * GROUP + n) * 16;
            int groupAt = g * weightGroups * GROUP * 512;
            if (input != null) {
                if (wide) {
                    input.writeQ4Wide(weightGroups, quants, groupAt + n * 32, GROUP * 512, GROUP * 32, sums, scales, sumsAt, GROUP * 16);
                } else {
                    input.writeQ4Groups(weightGroups, quants, groupAt + n * 16, GROUP * 16, sums, scales, sumsAt, GROUP * 16);
                }
                return;
            }
            for (int wg = 0; wg < weightGroups; wg++) {
                int at = groupAt + wg * GROUP * 512;
                for (int step = 0; step < 32; step++) {
                    // wide: 16 steps of 32 shorts per input; otherwise 32 runs of 16
                    int from = wide ? at + (step / 2) * GROUP * 32 + n * 32 + (step % 2) * 16 : at + step * GROUP * 16 + n * 16;
                    java.util.Arrays.fill(quants, from, from + 16, (short) 0);
                }
                int slot = sumsAt + wg * GROUP * 16;
                java.util.Arrays.fill(sums, slot, slot + 16, (short) 0);
                java.util.Arrays.fill(scales, slot, slot + 16, 0f);
            }
        }

        private boolean samePacked(MatmulInput[] inputs, int count, int weightGroups, boolean wideKernel) {
            if (count != packedCount || weightGroups != packedWeightGroups || wideKernel != packedWide) {
                return false;
            }
            for (int i = 0; i < count; i++) {
                if (packedFrom[i] != inputs[i] || packedVersions[i] != inputs[i].version()) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * {@code outputs[i][outputOffsets[i] + r] = row r . inputs[i]} for {@code count} inputs and Q8_0 weights in
     * {@link Q8_0Tensor}'s groups of 8 blocks, row r starting at group {@code r * groups(cols)}: each thread takes a
     * range of rows and runs passes of 4 inputs over sets of 16 of them while they are in cache, two rows at a time,
     * each row streamed whole ({@link #q8_0RowPairs}). Measured per block and input at 1 thread (1b shapes, 128 inputs): one row at a time
     * 1.9-2.5 ns (3.0-3.4 over ggml's blocks); two rows at a time 8-16% less in the same JVMs. Cutting rows into column
     * chunks (to keep 4 inputs' floats in L1) measured 10-70% slower.
     */
    static void multiplyQ8_0(byte[] quants, short[] scales, MatmulInput[] inputs, int count, float[][] outputs,
                             int[] outputOffsets, int rows, int cols, Parallel pool) {
        int groups = (int) Q8_0Tensor.groupsFor(cols);
        PackedInputs packed = PACKED.get();
        packed.collectQ8_0(inputs, count, pool);
        float[][] x = packed.lanes;
        float[][] xd = packed.laneScales;
        int tiles = (rows + TILE_ROWS - 1) / TILE_ROWS;
        pool.forRangeGuided(tiles, (firstTile, endTile) -> {
            float[] result = ACCUMULATORS.get();
            int rowStart = firstTile * TILE_ROWS;
            int rowEnd = Math.min(rows, endTile * TILE_ROWS);
            // row i with row half + i: two long sequential streams (see q4_0DecodeBatch), 16 rows in cache per set
            int half = (rowEnd - rowStart) / 2;
            for (int i = 0; i < half; i += TILE_ROWS / 2) {
                q8_0RowPairs(quants, scales, groups, x, xd, count, outputs, outputOffsets, rowStart + i, rowStart + half + i,
                        Math.min(TILE_ROWS / 2, half - i), result);
            }
            if (rowStart + 2 * half < rowEnd) {
                q8_0LastRow(quants, scales, groups, x, xd, count, outputs, outputOffsets, rowEnd - 1, result);
            }
        });
    }

    /**
     * Rows {@code rowA + p} and {@code rowB + p}, {@code p < pairs}, against every input: passes of 4 inputs over the
     * set while it is in cache, two rows at a time. A last pass of 2 or 3 inputs repeats one of them (its results are
     * dropped); a single input left over takes the single-input kernel.
     */
    private static void q8_0RowPairs(byte[] quants, short[] scales, int groups, float[][] x, float[][] xd, int count,
                                     float[][] outputs, int[] outputOffsets, int rowA, int rowB, int pairs, float[] result) {
        for (int n = 0; n < count; n += 4) {
            int inPass = Math.min(4, count - n);
            if (inPass == 1) {
                for (int p = 0; p < pairs; p++) {
                    outputs[n][outputOffsets[n] + rowA + p] = VectorKernels.dotQ8_0(quants, scales, (rowA + p) * groups, x[n], xd[n], groups);
                    outputs[n][outputOffsets[n] + rowB + p] = VectorKernels.dotQ8_0(quants, scales, (rowB + p) * groups, x[n], xd[n], groups);
                }
                continue;
            }
            int i1 = n + 1;
            int i2 = n + Math.min(2, inPass - 1);
            int i3 = n + inPass - 1;
            for (int p = 0; p < pairs; p++) {
                q8_0TwoRows(quants, scales, (rowA + p) * groups, (rowB + p) * groups, groups, x[n], x[i1], x[i2], x[i3],
                        xd[n], xd[i1], xd[i2], xd[i3], result);
                for (int k = 0; k < inPass; k++) {
                    int a = 8 * k;
                    int b = 32 + 8 * k;
                    outputs[n + k][outputOffsets[n + k] + rowA + p] = VectorKernels.sum8(result[a], result[a + 1], result[a + 2],
                            result[a + 3], result[a + 4], result[a + 5], result[a + 6], result[a + 7]);
                    outputs[n + k][outputOffsets[n + k] + rowB + p] = VectorKernels.sum8(result[b], result[b + 1], result[b + 2],
                            result[b + 3], result[b + 4], result[b + 5], result[b + 6], result[b + 7]);
                }
            }
        }
    }

    /** Row {@code r} alone (an odd last row) against every input, 4 at a time. */
    private static void q8_0LastRow(byte[] quants, short[] scales, int groups, float[][] x, float[][] xd, int count,
                                    float[][] outputs, int[] outputOffsets, int r, float[] result) {
        for (int n = 0; n < count; n += 4) {
            int inPass = Math.min(4, count - n);
            if (inPass == 1) {
                outputs[n][outputOffsets[n] + r] = VectorKernels.dotQ8_0(quants, scales, r * groups, x[n], xd[n], groups);
                continue;
            }
            int i1 = n + 1;
            int i2 = n + Math.min(2, inPass - 1);
            int i3 = n + inPass - 1;
            q8_0(quants, scales, r * groups, groups, x[n], x[i1], x[i2], x[i3], xd[n], xd[i1], xd[i2], xd[i3], result);
            for (int k = 0; k < inPass; k++) {
                outputs[n + k][outputOffsets[n + k] + r] = result[k];
            }
        }
    }

    /**
     * One Q8_0 row of {@code groups} groups from group {@code firstGroup} against 4 inputs' {@link MatmulInput#q8Lanes}
     * ({@code x0..x3}) and scales ({@code d0..d3}), into {@code result[0..3]}: each quant load is widened once for the
     * 4 inputs; the arithmetic per input is that of {@link VectorKernels#dotQ8_0}.
     */
    private static void q8_0(byte[] quants, short[] scales, int firstGroup, int groups, float[] x0, float[] x1,
                             float[] x2, float[] x3, float[] d0, float[] d1, float[] d2, float[] d3, float[] result) {
        FloatVector acc0 = FloatVector.zero(F256);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        int quantsAt = firstGroup * Q8_0Tensor.GROUP_BYTES;
        int scalesAt = firstGroup * Q8_0Tensor.GROUP_BLOCKS;
        for (int g = 0; g < groups; g++, quantsAt += Q8_0Tensor.GROUP_BYTES, scalesAt += Q8_0Tensor.GROUP_BLOCKS) {
            // two partial sums per input (quants 0..15 and 16..31): one chain of 32 dependent multiply-adds per input
            // would leave the FMA units waiting on their latency
            FloatVector sum0 = FloatVector.zero(F256);
            FloatVector sum1 = sum0;
            FloatVector sum2 = sum0;
            FloatVector sum3 = sum0;
            FloatVector high0 = sum0;
            FloatVector high1 = sum0;
            FloatVector high2 = sum0;
            FloatVector high3 = sum0;
            int xi = g * 256;
            for (int j = 0; j < 16; j++, xi += 8) {
                FloatVector w = (FloatVector) ByteVector.fromArray(B64, quants, quantsAt + 8 * j)
                        .convertShape(VectorOperators.B2F, F256, 0);
                sum0 = w.fma(FloatVector.fromArray(F256, x0, xi), sum0);
                sum1 = w.fma(FloatVector.fromArray(F256, x1, xi), sum1);
                sum2 = w.fma(FloatVector.fromArray(F256, x2, xi), sum2);
                sum3 = w.fma(FloatVector.fromArray(F256, x3, xi), sum3);
                FloatVector u = (FloatVector) ByteVector.fromArray(B64, quants, quantsAt + 8 * j + 128)
                        .convertShape(VectorOperators.B2F, F256, 0);
                high0 = u.fma(FloatVector.fromArray(F256, x0, xi + 128), high0);
                high1 = u.fma(FloatVector.fromArray(F256, x1, xi + 128), high1);
                high2 = u.fma(FloatVector.fromArray(F256, x2, xi + 128), high2);
                high3 = u.fma(FloatVector.fromArray(F256, x3, xi + 128), high3);
            }
            sum0 = sum0.add(high0);
            sum1 = sum1.add(high1);
            sum2 = sum2.add(high2);
            sum3 = sum3.add(high3);
            IntVector halves = (IntVector) ShortVector.fromArray(S128, scales, scalesAt).convertShape(VectorOperators.S2I, I256, 0);
            FloatVector d = halves.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(halves.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
            acc0 = sum0.fma(d.mul(FloatVector.fromArray(F256, d0, g * 8)), acc0);
            acc1 = sum1.fma(d.mul(FloatVector.fromArray(F256, d1, g * 8)), acc1);
            acc2 = sum2.fma(d.mul(FloatVector.fromArray(F256, d2, g * 8)), acc2);
            acc3 = sum3.fma(d.mul(FloatVector.fromArray(F256, d3, g * 8)), acc3);
        }
        result[0] = VectorKernels.sum8(acc0.lane(0), acc0.lane(1), acc0.lane(2), acc0.lane(3), acc0.lane(4), acc0.lane(5), acc0.lane(6), acc0.lane(7));
        result[1] = VectorKernels.sum8(acc1.lane(0), acc1.lane(1), acc1.lane(2), acc1.lane(3), acc1.lane(4), acc1.lane(5), acc1.lane(6), acc1.lane(7));
        result[2] = VectorKernels.sum8(acc2.lane(0), acc2.lane(1), acc2.lane(2), acc2.lane(3), acc2.lane(4), acc2.lane(5), acc2.lane(6), acc2.lane(7));
        result[3] = VectorKernels.sum8(acc3.lane(0), acc3.lane(1), acc3.lane(2), acc3.lane(3), acc3.lane(4), acc3.lane(5), acc3.lane(6), acc3.lane(7));
    }

    /**
     * Two Q8_0 rows (from groups {@code groupA} and {@code groupB}) against 4 inputs' {@link MatmulInput#q8Lanes}: each
     * activation load feeds both rows, which halves the activation traffic from L2 that bounds the one-row kernel. One
     * chain per row and input (8 independent chains keep both FMA units busy); each group's sums are integers below
     * 2^24, so their order does not change them, and {@code acc = sum * (d_w * d_x) + acc} runs per lane in group order
     * as in {@link VectorKernels#dotQ8_0}. The running accumulators go through {@code acc} (row A's 4 inputs at 0..31,
     * row B's at 32..63), since 8 sums and 8 accumulators would not fit AVX2's 16 registers. The loop body is unrolled
     * twice by hand: C2 then leaves it as it is, while it unrolls a one-step body 4 times, hoists the loads and spills.
     */
    private static void q8_0TwoRows(byte[] quants, short[] scales, int groupA, int groupB, int groups,
                                    float[] x0, float[] x1, float[] x2, float[] x3, float[] d0, float[] d1, float[] d2,
                                    float[] d3, float[] acc) {
        java.util.Arrays.fill(acc, 0, 64, 0f);
        int aAt = groupA * Q8_0Tensor.GROUP_BYTES;
        int bAt = groupB * Q8_0Tensor.GROUP_BYTES;
        for (int g = 0; g < groups; g++, aAt += Q8_0Tensor.GROUP_BYTES, bAt += Q8_0Tensor.GROUP_BYTES) {
            FloatVector a0 = FloatVector.zero(F256);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector b2 = a0;
            FloatVector b3 = a0;
            int xi = g * 256;
            for (int j = 0; j < 32; j += 2, xi += 16) {
                FloatVector wa = (FloatVector) ByteVector.fromArray(B64, quants, aAt + 8 * j)
                        .convertShape(VectorOperators.B2F, F256, 0);
                FloatVector wb = (FloatVector) ByteVector.fromArray(B64, quants, bAt + 8 * j)
                        .convertShape(VectorOperators.B2F, F256, 0);
                FloatVector v = FloatVector.fromArray(F256, x0, xi);
                a0 = wa.fma(v, a0);
                b0 = wb.fma(v, b0);
                v = FloatVector.fromArray(F256, x1, xi);
                a1 = wa.fma(v, a1);
                b1 = wb.fma(v, b1);
                v = FloatVector.fromArray(F256, x2, xi);
                a2 = wa.fma(v, a2);
                b2 = wb.fma(v, b2);
                v = FloatVector.fromArray(F256, x3, xi);
                a3 = wa.fma(v, a3);
                b3 = wb.fma(v, b3);
                wa = (FloatVector) ByteVector.fromArray(B64, quants, aAt + 8 * j + 8)
                        .convertShape(VectorOperators.B2F, F256, 0);
                wb = (FloatVector) ByteVector.fromArray(B64, quants, bAt + 8 * j + 8)
                        .convertShape(VectorOperators.B2F, F256, 0);
                v = FloatVector.fromArray(F256, x0, xi + 8);
                a0 = wa.fma(v, a0);
                b0 = wb.fma(v, b0);
                v = FloatVector.fromArray(F256, x1, xi + 8);
                a1 = wa.fma(v, a1);
                b1 = wb.fma(v, b1);
                v = FloatVector.fromArray(F256, x2, xi + 8);
                a2 = wa.fma(v, a2);
                b2 = wb.fma(v, b2);
                v = FloatVector.fromArray(F256, x3, xi + 8);
                a3 = wa.fma(v, a3);
                b3 = wb.fma(v, b3);
            }
            int sa = (groupA + g) * Q8_0Tensor.GROUP_BLOCKS;
            IntVector halves = (IntVector) ShortVector.fromArray(S128, scales, sa).convertShape(VectorOperators.S2I, I256, 0);
            FloatVector d = halves.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(halves.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
            a0.fma(d.mul(FloatVector.fromArray(F256, d0, g * 8)), FloatVector.fromArray(F256, acc, 0)).intoArray(acc, 0);
            a1.fma(d.mul(FloatVector.fromArray(F256, d1, g * 8)), FloatVector.fromArray(F256, acc, 8)).intoArray(acc, 8);
            a2.fma(d.mul(FloatVector.fromArray(F256, d2, g * 8)), FloatVector.fromArray(F256, acc, 16)).intoArray(acc, 16);
            a3.fma(d.mul(FloatVector.fromArray(F256, d3, g * 8)), FloatVector.fromArray(F256, acc, 24)).intoArray(acc, 24);
            int sb = (groupB + g) * Q8_0Tensor.GROUP_BLOCKS;
            halves = (IntVector) ShortVector.fromArray(S128, scales, sb).convertShape(VectorOperators.S2I, I256, 0);
            d = halves.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(halves.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
            b0.fma(d.mul(FloatVector.fromArray(F256, d0, g * 8)), FloatVector.fromArray(F256, acc, 32)).intoArray(acc, 32);
            b1.fma(d.mul(FloatVector.fromArray(F256, d1, g * 8)), FloatVector.fromArray(F256, acc, 40)).intoArray(acc, 40);
            b2.fma(d.mul(FloatVector.fromArray(F256, d2, g * 8)), FloatVector.fromArray(F256, acc, 48)).intoArray(acc, 48);
            b3.fma(d.mul(FloatVector.fromArray(F256, d3, g * 8)), FloatVector.fromArray(F256, acc, 56)).intoArray(acc, 56);
        }
    }

    /**
     * The same for Q4_0 weights in {@link Q4_0Tensor}'s groups of 16 blocks, row r starting at group
     * {@code r * groups(cols)}. Each run of 16 weight shorts is decoded once for a group of 8 inputs (5 to 8 present,
     * the rest zeros), or once for a group of exactly 4. A short last group of {@value #SMALL_GROUP} inputs or fewer
     * takes the single-input kernel per input instead, row by row so each row is read from memory once (a pass over
     * padding costs more). With {@code wideKernel} (where {@link #WIDE}; tests take both ways), groups of 5 to 8
     * go through {@link #q4_0EightInputsWide}, two rows at a time. The arithmetic per input is that of
     * {@link VectorKernels#dotQ4_0}.
     */
    static void multiplyQ4_0(short[] quants, short[] scales, MatmulInput[] inputs, int count, float[][] outputs,
                             int[] outputOffsets, int rows, int cols, boolean wideKernel, Parallel pool) {
        int weightGroups = (int) Q4_0Tensor.groupsFor(cols);
        int groups = (count + GROUP - 1) / GROUP;
        PackedInputs packed = PACKED.get();
        packed.packQ4_0(inputs, count, groups, weightGroups, wideKernel, pool);
        short[] x = packed.groupQuants;
        MemorySegment wideX = packed.wideQuants;
        boolean[] wide = packed.wideGroup;
        short[] eightSums = packed.eightSums;
        float[] xd = packed.groupScales;
        int tiles = (rows + TILE_ROWS - 1) / TILE_ROWS;
        // One group of inputs (a decode batch) streams each row whole, which the hardware prefetcher follows; more
        // (a prompt) read the tile from cache once per group, and then column chunks keep the inputs in L1.
        int columnChunk = groups > 1 ? CHUNK_GROUPS : weightGroups;
        int firstSmall = (groups - 1) * GROUP;
        if (count - firstSmall <= SMALL_GROUP) {
            // a short last group takes the single-input kernel on every thread: its inputs' own q4Groups form is made
            // here, one input per index, since two threads making it lazily race (MatmulInput#q4Groups)
            pool.forRange(count - firstSmall, (start, end) -> {
                for (int i = start; i < end; i++) {
                    inputs[firstSmall + i].q4Groups();
                }
            });
        }
        if (groups == 1 && wide[0]) {
            pool.forRangeGuided(tiles, (firstTile, endTile) -> q4_0DecodeBatch(quants, wideX, eightSums, xd, count,
                    outputs, outputOffsets, firstTile * TILE_ROWS, Math.min(rows, endTile * TILE_ROWS), weightGroups));
            return;
        }
        pool.forRangeGuided(tiles, (firstTile, endTile) -> {
            float[] acc = ACCUMULATORS.get();
            short[] sums = EIGHT_INPUT_SUMS.get();
            for (int tile = firstTile; tile < endTile; tile++) {
                int rowStart = tile * TILE_ROWS;
                int rowEnd = Math.min(rows, rowStart + TILE_ROWS);
                for (int g = 0; g < groups; g++) {
                    int inGroup = Math.min(GROUP, count - g * GROUP);
                    if (inGroup > SMALL_GROUP) {
                        java.util.Arrays.fill(acc, 0, (rowEnd - rowStart) * ROW_ACCUMULATORS, 0f);
                        // A chunk of columns at a time, every row of the tile: the chunk's packed inputs stay in L1
                        // (whole rows of 8 inputs would not), and the accumulators go through memory per weight group anyway.
                        for (int wg = 0; wg < weightGroups; wg += columnChunk) {
                            int chunk = Math.min(columnChunk, weightGroups - wg);
                            int unit = g * weightGroups + wg;
                            for (int r = rowStart; r < rowEnd; r++) {
                                int accAt = (r - rowStart) * ROW_ACCUMULATORS;
                                if (wide[g]) {
                                    // neighbouring rows in pairs; an odd last row goes with itself, its twin into the spare row
                                    boolean pair = r + 1 < rowEnd;
                                    q4_0EightInputsWide(quants, r * weightGroups + wg, (pair ? r + 1 : r) * weightGroups + wg, chunk,
                                            wideX, unit, eightSums, xd, acc, accAt, pair ? accAt + ROW_ACCUMULATORS : SPARE_ROW,
                                            WIDE_STEPS, sums);
                                    r += pair ? 1 : 0;
                                } else if (inGroup > 4) {
                                    q4_0EightInputs(quants, scales, r * weightGroups + wg, chunk, x, eightSums, xd, unit,
                                            acc, accAt, Q4_0Tensor.GROUP_RUNS, sums);
                                } else {
                                    q4_0(quants, scales, r * weightGroups + wg, chunk, x, eightSums, xd, unit, acc, accAt);
                                }
                            }
                        }
                        for (int r = rowStart; r < rowEnd; r++) {
                            int accAt = (r - rowStart) * ROW_ACCUMULATORS;
                            writeRow(acc, accAt, outputs, outputOffsets, g * GROUP, inGroup, r);
                        }
                    } else {
                        for (int r = rowStart; r < rowEnd; r++) {
                            for (int n = 0; n < inGroup; n++) {
                                MatmulInput in = inputs[g * GROUP + n];
                                outputs[g * GROUP + n][outputOffsets[g * GROUP + n] + r] = VectorKernels.dotQ4_0(quants, scales,
                                        r * weightGroups, in.q4Groups(), in.q4EightSums(), in.q4GroupScales(), weightGroups);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * Rows {@code [rowStart, rowEnd)} of a Q4_0 product with one group of 5 to 8 inputs (a decode batch) packed wide,
     * two rows at a time: row {@code rowStart + i} with row {@code rowStart + half + i}, so that the kernel reads two
     * long sequential streams, one per half of the range. Pairs of neighbouring rows made the streams restart every
     * row (1 KiB on bench-1b), and the hardware prefetcher fell behind at each restart: per block and input,
     * DRAM-resident, alternating in one JVM (Zen 4), 0.79 -> 0.74 ns. An odd last row goes with itself.
     */
    private static void q4_0DecodeBatch(short[] quants, MemorySegment x, short[] eightSums, float[] xd, int count,
                                        float[][] outputs, int[] outputOffsets, int rowStart, int rowEnd, int weightGroups) {
        float[] acc = ACCUMULATORS.get();
        short[] sums = EIGHT_INPUT_SUMS.get();
        int half = (rowEnd - rowStart) / 2;
        for (int i = 0; i < half; i += TILE_ROWS / 2) {
            int pairs = Math.min(TILE_ROWS / 2, half - i);
            java.util.Arrays.fill(acc, 0, 2 * pairs * ROW_ACCUMULATORS, 0f);
            for (int p = 0; p < pairs; p++) {
                int rowA = rowStart + i + p;
                int rowB = rowA + half;
                q4_0EightInputsWide(quants, rowA * weightGroups, rowB * weightGroups, weightGroups, x, 0, eightSums, xd,
                        acc, 2 * p * ROW_ACCUMULATORS, (2 * p + 1) * ROW_ACCUMULATORS, WIDE_STEPS, sums);
            }
            for (int p = 0; p < pairs; p++) {
                writeRow(acc, 2 * p * ROW_ACCUMULATORS, outputs, outputOffsets, 0, count, rowStart + i + p);
                writeRow(acc, (2 * p + 1) * ROW_ACCUMULATORS, outputs, outputOffsets, 0, count, rowStart + half + i + p);
            }
        }
        if (rowStart + 2 * half < rowEnd) {
            int r = rowStart + 2 * half;
            java.util.Arrays.fill(acc, 0, ROW_ACCUMULATORS, 0f);
            q4_0EightInputsWide(quants, r * weightGroups, r * weightGroups, weightGroups, x, 0, eightSums, xd, acc, 0,
                    SPARE_ROW, WIDE_STEPS, sums);
            writeRow(acc, 0, outputs, outputOffsets, 0, count, r);
        }
    }

    /**
     * Row {@code r} of inputs {@code [first, first + inGroup)}: their accumulators from {@code acc[accAt ..]}, even and
     * odd lanes added, then the 8 sums added in {@link VectorKernels#sum8}'s order by two lane rotations (lane 0 ends as
     * {@code (l0 + l4) + (l2 + l6)}, lane 1 as {@code (l1 + l5) + (l3 + l7)}), so it equals the single-input kernels.
     */
    private static void writeRow(float[] acc, int accAt, float[][] outputs, int[] outputOffsets, int first, int inGroup, int r) {
        for (int n = 0, a = accAt; n < inGroup; n++, a += 2 * LANES) {
            FloatVector sums = FloatVector.fromArray(F256, acc, a).add(FloatVector.fromArray(F256, acc, a + LANES));
            FloatVector halves = sums.add(sums.rearrange(ROTATE_FOUR));
            FloatVector quarters = halves.add(halves.rearrange(ROTATE_TWO));
            outputs[first + n][outputOffsets[first + n] + r] = quarters.lane(0) + quarters.lane(1);
        }
    }

    /**
     * {@code groups} weight groups of one Q4_0 row from weight group {@code firstGroup}, against the first 4 of the 8
     * packed inputs of the packed unit {@code unit} (input group * weight groups + column group) on (a group of exactly
     * 4 inputs); input n's even-block lanes go to {@code acc[accAt + 16n ..]}, its odd ones after them.
     */
    private static void q4_0(short[] quants, short[] scales, int firstGroup, int groups, short[] x,
                             short[] eightSums, float[] xd, int unit, float[] acc, int accAt) {
        int quantsAt = firstGroup * Q4_0Tensor.GROUP_SHORTS;
        int scalesAt = firstGroup * Q4_0Tensor.GROUP_SHORTS + Q4_0Tensor.SCALES_AT;
        for (int wg = 0; wg < groups; wg++, quantsAt += Q4_0Tensor.GROUP_SHORTS, scalesAt += Q4_0Tensor.GROUP_SHORTS) {
            ShortVector sum0 = ShortVector.zero(S256);
            ShortVector sum1 = sum0;
            ShortVector sum2 = sum0;
            ShortVector sum3 = sum0;
            int xi = (unit + wg) * 32 * GROUP * 16;
            for (int t = 0; t < 8; t++, xi += 4 * GROUP * 16) {
                ShortVector words = ShortVector.fromArray(S256, quants, quantsAt + 16 * t);
                ShortVector w0 = words.and((short) 0xF);
                ShortVector w1 = words.lanewise(VectorOperators.LSHR, 4).and((short) 0xF);
                ShortVector w2 = words.lanewise(VectorOperators.LSHR, 8).and((short) 0xF);
                ShortVector w3 = words.lanewise(VectorOperators.LSHR, 12);
                sum0 = sum0.add(w0.mul(ShortVector.fromArray(S256, x, xi))).add(w1.mul(ShortVector.fromArray(S256, x, xi + 128)))
                        .add(w2.mul(ShortVector.fromArray(S256, x, xi + 256))).add(w3.mul(ShortVector.fromArray(S256, x, xi + 384)));
                sum1 = sum1.add(w0.mul(ShortVector.fromArray(S256, x, xi + 16))).add(w1.mul(ShortVector.fromArray(S256, x, xi + 144)))
                        .add(w2.mul(ShortVector.fromArray(S256, x, xi + 272))).add(w3.mul(ShortVector.fromArray(S256, x, xi + 400)));
                sum2 = sum2.add(w0.mul(ShortVector.fromArray(S256, x, xi + 32))).add(w1.mul(ShortVector.fromArray(S256, x, xi + 160)))
                        .add(w2.mul(ShortVector.fromArray(S256, x, xi + 288))).add(w3.mul(ShortVector.fromArray(S256, x, xi + 416)));
                sum3 = sum3.add(w0.mul(ShortVector.fromArray(S256, x, xi + 48))).add(w1.mul(ShortVector.fromArray(S256, x, xi + 176)))
                        .add(w2.mul(ShortVector.fromArray(S256, x, xi + 304))).add(w3.mul(ShortVector.fromArray(S256, x, xi + 432)));
            }
            // the scales as in VectorKernels.dotQ4_0, once per row group for the 4 inputs
            IntVector halves = ShortVector.fromArray(S256, scales, scalesAt).reinterpretAsInts();
            IntVector even = halves.and(0xFFFF);
            IntVector odd = halves.lanewise(VectorOperators.LSHR, 16);
            FloatVector dEven = even.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(even.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
            FloatVector dOdd = odd.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(odd.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
            int si = (unit + wg) * GROUP * 16;
            IntVector dots0 = sum0.sub(ShortVector.fromArray(S256, eightSums, si)).reinterpretAsInts();
            ((FloatVector) dots0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dEven.mul(FloatVector.fromArray(F256, xd, si)), FloatVector.fromArray(F256, acc, accAt)).intoArray(acc, accAt);
            ((FloatVector) dots0.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dOdd.mul(FloatVector.fromArray(F256, xd, si + 8)), FloatVector.fromArray(F256, acc, accAt + 8)).intoArray(acc, accAt + 8);
            IntVector dots1 = sum1.sub(ShortVector.fromArray(S256, eightSums, si + 16)).reinterpretAsInts();
            ((FloatVector) dots1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dEven.mul(FloatVector.fromArray(F256, xd, si + 16)), FloatVector.fromArray(F256, acc, accAt + 16)).intoArray(acc, accAt + 16);
            ((FloatVector) dots1.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dOdd.mul(FloatVector.fromArray(F256, xd, si + 24)), FloatVector.fromArray(F256, acc, accAt + 24)).intoArray(acc, accAt + 24);
            IntVector dots2 = sum2.sub(ShortVector.fromArray(S256, eightSums, si + 32)).reinterpretAsInts();
            ((FloatVector) dots2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dEven.mul(FloatVector.fromArray(F256, xd, si + 32)), FloatVector.fromArray(F256, acc, accAt + 32)).intoArray(acc, accAt + 32);
            ((FloatVector) dots2.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dOdd.mul(FloatVector.fromArray(F256, xd, si + 40)), FloatVector.fromArray(F256, acc, accAt + 40)).intoArray(acc, accAt + 40);
            IntVector dots3 = sum3.sub(ShortVector.fromArray(S256, eightSums, si + 48)).reinterpretAsInts();
            ((FloatVector) dots3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dEven.mul(FloatVector.fromArray(F256, xd, si + 48)), FloatVector.fromArray(F256, acc, accAt + 48)).intoArray(acc, accAt + 48);
            ((FloatVector) dots3.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dOdd.mul(FloatVector.fromArray(F256, xd, si + 56)), FloatVector.fromArray(F256, acc, accAt + 56)).intoArray(acc, accAt + 56);
        }
    }

    /**
     * {@code groups} weight groups of one Q4_0 row against all 8 packed inputs of unit {@code unit}, into
     * {@code acc[accAt ..]} as {@link #q4_0} does for 4: each of the group's {@code runs} nibble runs (32: nibble k of
     * the weights' 8 words of 16 shorts) is decoded once for the 8 inputs, one run per iteration, so the 8 sums, the
     * run and an input stay in registers. With 4 runs (one word) per iteration, or a trip count C2 can see as a
     * constant, C2 unrolls the loop, hoists its loads and spills the sums; hence {@code runs} is a parameter. Measured
     * per block and input against two passes of {@link #q4_0}, alternating in one JVM (1b shapes): 8 inputs 1.89 ->
     * 1.32, 2.45 -> 1.97 ns at 1 thread, 2.98 -> 2.50 at 2; 128 inputs 1.71 -> 1.32 at 1 thread, 2.34 -> 2.12 at 2.
     */
    private static void q4_0EightInputs(short[] quants, short[] scales, int firstGroup, int groups, short[] x,
                                        short[] eightSums, float[] xd, int unit, float[] acc, int accAt, int runs,
                                        short[] sums) {
        int quantsAt = firstGroup * Q4_0Tensor.GROUP_SHORTS;
        for (int wg = 0; wg < groups; wg++, quantsAt += Q4_0Tensor.GROUP_SHORTS) {
            ShortVector s0 = ShortVector.zero(S256);
            ShortVector s1 = s0;
            ShortVector s2 = s0;
            ShortVector s3 = s0;
            ShortVector s4 = s0;
            ShortVector s5 = s0;
            ShortVector s6 = s0;
            ShortVector s7 = s0;
            int xi = (unit + wg) * 32 * GROUP * 16;
            for (int r = 0; r < runs; r++, xi += GROUP * 16) {
                ShortVector w = ShortVector.fromArray(S256, quants, quantsAt + 16 * (r >> 2))
                        .lanewise(VectorOperators.LSHR, 4 * (r & 3)).and((short) 0xF);
                s0 = s0.add(w.mul(ShortVector.fromArray(S256, x, xi)));
                s1 = s1.add(w.mul(ShortVector.fromArray(S256, x, xi + 16)));
                s2 = s2.add(w.mul(ShortVector.fromArray(S256, x, xi + 32)));
                s3 = s3.add(w.mul(ShortVector.fromArray(S256, x, xi + 48)));
                s4 = s4.add(w.mul(ShortVector.fromArray(S256, x, xi + 64)));
                s5 = s5.add(w.mul(ShortVector.fromArray(S256, x, xi + 80)));
                s6 = s6.add(w.mul(ShortVector.fromArray(S256, x, xi + 96)));
                s7 = s7.add(w.mul(ShortVector.fromArray(S256, x, xi + 112)));
            }
            s0.intoArray(sums, 0);
            s1.intoArray(sums, 16);
            s2.intoArray(sums, 32);
            s3.intoArray(sums, 48);
            s4.intoArray(sums, 64);
            s5.intoArray(sums, 80);
            s6.intoArray(sums, 96);
            s7.intoArray(sums, 112);
            addEightInputs(scales, (firstGroup + wg) * Q4_0Tensor.GROUP_SHORTS + Q4_0Tensor.SCALES_AT, sums, 0, eightSums, xd, (unit + wg) * GROUP * 16,
                    acc, accAt);
        }
    }

    /**
     * {@link #q4_0EightInputs} for two rows at once in 512-bit vectors (groups from {@code firstGroupA} and
     * {@code firstGroupB}, into {@code acc[accAtA ..]} and {@code acc[accAtB ..]}, as {@link #q4_0EightInputs} does),
     * against the 8 inputs of packed unit {@code unit} in {@link MatmulInput#writeQ4Wide}'s layout. A step takes
     * nibble k of two neighbouring words, elements {@code 8p + k} and {@code 8p + 4 + k} of the 16 blocks, so each
     * 512-bit lane holds the sum of half a block's elements; the two halves are added at the end of the group (16-bit
     * adds wrap, so any order is exact). Each input's load serves both rows. Measured per block and input, batch 8,
     * 65,536 x 2048 (DRAM-resident), 1 thread, on Zen 4, against the 256-bit two-row kernel it replaced (0.78-0.86 ns):
     * <ul>
     *   <li>inputs in a Java array: 0.74-0.78 (alternating in one JVM);</li>
     *   <li>the same from 64-byte aligned memory: 0.69-0.73 (a Java array starts at any 8-byte boundary, and a 512-bit
     *       load that crosses a 32-byte one costs a second load);</li>
     *   <li>the input offsets computed from the loop counter, not carried as a second induction variable: 0.66-0.67,
     *       since C2 then drops the per-load bounds checks. A per-step {@code asSlice} measured the same in a harness
     *       but allocated in the engine, where the JDK's mapped and native segment types meet at its call site;</li>
     *   <li>those offsets as ints, widened at each load: 0.63 (two rounds, alternating JVMs).</li>
     * </ul>
     * The 4 nibble steps of a word pair written out with constant shifts made C2 box the vectors (100x slower).
     */
    private static void q4_0EightInputsWide(short[] quants, int firstGroupA, int firstGroupB, int groups, MemorySegment x,
                                            int unit, short[] eightSums, float[] xd, float[] acc, int accAtA, int accAtB,
                                            int steps, short[] sums) {
        int quantsA = firstGroupA * Q4_0Tensor.GROUP_SHORTS;
        int quantsB = firstGroupB * Q4_0Tensor.GROUP_SHORTS;
        for (int wg = 0; wg < groups; wg++, quantsA += Q4_0Tensor.GROUP_SHORTS, quantsB += Q4_0Tensor.GROUP_SHORTS) {
            ShortVector a0 = ShortVector.zero(S512);
            ShortVector a1 = a0;
            ShortVector a2 = a0;
            ShortVector a3 = a0;
            ShortVector a4 = a0;
            ShortVector a5 = a0;
            ShortVector a6 = a0;
            ShortVector a7 = a0;
            ShortVector b0 = a0;
            ShortVector b1 = a0;
            ShortVector b2 = a0;
            ShortVector b3 = a0;
            ShortVector b4 = a0;
            ShortVector b5 = a0;
            ShortVector b6 = a0;
            ShortVector b7 = a0;
            int unitAt = (unit + wg) * GROUP * 512 * Short.BYTES;
            for (int step = 0; step < steps; step++) {
                int xi = unitAt + step * (GROUP * 32 * Short.BYTES);
                int words = 32 * (step >> 2);
                int shift = 4 * (step & 3);
                ShortVector wa = ShortVector.fromArray(S512, quants, quantsA + words).lanewise(VectorOperators.LSHR, shift).and((short) 0xF);
                ShortVector wb = ShortVector.fromArray(S512, quants, quantsB + words).lanewise(VectorOperators.LSHR, shift).and((short) 0xF);
                ShortVector in = ShortVector.fromMemorySegment(S512, x, xi, ByteOrder.LITTLE_ENDIAN);
                a0 = a0.add(wa.mul(in));
                b0 = b0.add(wb.mul(in));
                in = ShortVector.fromMemorySegment(S512, x, xi + 64, ByteOrder.LITTLE_ENDIAN);
                a1 = a1.add(wa.mul(in));
                b1 = b1.add(wb.mul(in));
                in = ShortVector.fromMemorySegment(S512, x, xi + 128, ByteOrder.LITTLE_ENDIAN);
                a2 = a2.add(wa.mul(in));
                b2 = b2.add(wb.mul(in));
                in = ShortVector.fromMemorySegment(S512, x, xi + 192, ByteOrder.LITTLE_ENDIAN);
                a3 = a3.add(wa.mul(in));
                b3 = b3.add(wb.mul(in));
                in = ShortVector.fromMemorySegment(S512, x, xi + 256, ByteOrder.LITTLE_ENDIAN);
                a4 = a4.add(wa.mul(in));
                b4 = b4.add(wb.mul(in));
                in = ShortVector.fromMemorySegment(S512, x, xi + 320, ByteOrder.LITTLE_ENDIAN);
                a5 = a5.add(wa.mul(in));
                b5 = b5.add(wb.mul(in));
                in = ShortVector.fromMemorySegment(S512, x, xi + 384, ByteOrder.LITTLE_ENDIAN);
                a6 = a6.add(wa.mul(in));
                b6 = b6.add(wb.mul(in));
                in = ShortVector.fromMemorySegment(S512, x, xi + 448, ByteOrder.LITTLE_ENDIAN);
                a7 = a7.add(wa.mul(in));
                b7 = b7.add(wb.mul(in));
            }
            a0.intoArray(sums, 0);
            a1.intoArray(sums, 32);
            a2.intoArray(sums, 64);
            a3.intoArray(sums, 96);
            a4.intoArray(sums, 128);
            a5.intoArray(sums, 160);
            a6.intoArray(sums, 192);
            a7.intoArray(sums, 224);
            b0.intoArray(sums, 256);
            b1.intoArray(sums, 288);
            b2.intoArray(sums, 320);
            b3.intoArray(sums, 352);
            b4.intoArray(sums, 384);
            b5.intoArray(sums, 416);
            b6.intoArray(sums, 448);
            b7.intoArray(sums, 480);
            addEightInputsTwoRows(quants, quantsA + Q4_0Tensor.SCALES_AT, quantsB + Q4_0Tensor.SCALES_AT, sums, eightSums, xd,
                    (unit + wg) * GROUP * 16, acc, accAtA, accAtB);
        }
    }

    /**
     * {@link #addEightInputs} for both rows of {@link #q4_0EightInputsWide} (sums at {@code sums[0 ..]} and
     * {@code sums[256 ..]}, 32 lanes per input: the two halves of each block's sum are added first).
     * <ul>
     *   <li>Its bytecode is past C2's {@code FreqInlineSize} (325 bytes), so it is compiled on its own: inlined into the
     *       kernel, it came after C2's inlining budget ran out, and its array loads called {@code Objects.checkIndex}
     *       (18% of the samples of batch-8 decode on bench-1b-Q4_0). It takes arrays, so the call boxes nothing.</li>
     *   <li>Only 256-bit vectors: the other kernels' 256-bit integer and float operations share their Vector API methods
     *       (and so their type profiles) with any other shape in use, and 512-bit shifts and conversions here made C2
     *       leave the 256-bit ones in {@link VectorKernels#dotQ4_0Rows} to the Vector API's Java fallback, which
     *       allocates: batch-1 decode on bench-1b-Q4_0 after a 128-token prompt fell from about 20 to 10-15 tok/s.</li>
     * </ul>
     */
    private static void addEightInputsTwoRows(short[] scales, int scalesAtA, int scalesAtB, short[] sums, short[] eightSums,
                                              float[] xd, int si, float[] acc, int accAtA, int accAtB) {
        IntVector halvesA = ShortVector.fromArray(S256, scales, scalesAtA).reinterpretAsInts();
        IntVector halvesB = ShortVector.fromArray(S256, scales, scalesAtB).reinterpretAsInts();
        IntVector evenA = halvesA.and(0xFFFF);
        IntVector oddA = halvesA.lanewise(VectorOperators.LSHR, 16);
        IntVector evenB = halvesB.and(0xFFFF);
        IntVector oddB = halvesB.lanewise(VectorOperators.LSHR, 16);
        FloatVector dEvenA = evenA.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(evenA.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
        FloatVector dOddA = oddA.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(oddA.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
        FloatVector dEvenB = evenB.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(evenB.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
        FloatVector dOddB = oddB.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(oddB.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
        for (int n = 0, at = 0, ai = 0; n < GROUP; n++, at += 32, si += 16, ai += 16) {
            ShortVector eight = ShortVector.fromArray(S256, eightSums, si);
            FloatVector xdEven = FloatVector.fromArray(F256, xd, si);
            FloatVector xdOdd = FloatVector.fromArray(F256, xd, si + 8);
            IntVector dots = ShortVector.fromArray(S256, sums, at).add(ShortVector.fromArray(S256, sums, at + 16)).sub(eight).reinterpretAsInts();
            ((FloatVector) dots.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dEvenA.mul(xdEven), FloatVector.fromArray(F256, acc, accAtA + ai)).intoArray(acc, accAtA + ai);
            ((FloatVector) dots.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dOddA.mul(xdOdd), FloatVector.fromArray(F256, acc, accAtA + ai + 8)).intoArray(acc, accAtA + ai + 8);
            dots = ShortVector.fromArray(S256, sums, 256 + at).add(ShortVector.fromArray(S256, sums, 256 + at + 16)).sub(eight).reinterpretAsInts();
            ((FloatVector) dots.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dEvenB.mul(xdEven), FloatVector.fromArray(F256, acc, accAtB + ai)).intoArray(acc, accAtB + ai);
            ((FloatVector) dots.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dOddB.mul(xdOdd), FloatVector.fromArray(F256, acc, accAtB + ai + 8)).intoArray(acc, accAtB + ai + 8);
        }
    }

    /**
     * One weight group's block sums of 8 inputs ({@code sums[sumsAt + 16n ..]}, input n) into their accumulators, as
     * {@link #q4_0} does: the exact dots (less 8 times the activation sums), converted and scaled by {@code d_w * d_x}.
     * It takes arrays, not vectors: a helper that C2 does not inline boxes its vector arguments.
     */
    private static void addEightInputs(short[] scales, int scalesAt, short[] sums, int sumsAt, short[] eightSums, float[] xd,
                                       int si, float[] acc, int accAt) {
        IntVector halves = ShortVector.fromArray(S256, scales, scalesAt).reinterpretAsInts();
        IntVector even = halves.and(0xFFFF);
        IntVector odd = halves.lanewise(VectorOperators.LSHR, 16);
        FloatVector dEven = even.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(even.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
        FloatVector dOdd = odd.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(odd.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
        for (int n = 0, ai = accAt; n < GROUP; n++, si += 16, ai += 16) {
            IntVector dots = ShortVector.fromArray(S256, sums, sumsAt + 16 * n).sub(ShortVector.fromArray(S256, eightSums, si)).reinterpretAsInts();
            ((FloatVector) dots.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dEven.mul(FloatVector.fromArray(F256, xd, si)), FloatVector.fromArray(F256, acc, ai)).intoArray(acc, ai);
            ((FloatVector) dots.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dOdd.mul(FloatVector.fromArray(F256, xd, si + 8)), FloatVector.fromArray(F256, acc, ai + 8)).intoArray(acc, ai + 8);
        }
    }
}
