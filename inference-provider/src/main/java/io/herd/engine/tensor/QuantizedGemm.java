package io.herd.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Matrix-matrix product of Q8_0 or Q4_0 weights with 2 or more Q8_0 inputs (a prompt chunk, or the decode
 * steps of a batch). The inputs are packed in groups of 8 ({@code [group][block][input][32]}, exact quants as
 * floats, a short last group padded with zeros) so one array walk feeds every input; each thread takes tiles
 * of 16 weight rows and runs every group over the tile while it is in cache, each row streamed whole (the
 * hardware prefetcher follows it; cutting rows into column chunks measured slower). Each weight block is
 * decoded to floats once per 4 inputs.
 *
 * <p>Bit-identical to the single-input kernels ({@link VectorKernels#dotQ8_0}, {@link VectorKernels#dotQ4_0}):
 * per block every lane sums the same four products (Q8_0: quants {@code 4j..4j+3} in lane j, decoded the same
 * way from the same activation order; Q4_0: {@code j, j+8, j+16, j+24} plus the lane's "- 8" term), integers
 * that float holds exactly, so the order of that sum does not matter; then {@code acc = sum * (d_w * d_x) + acc}
 * in block order, and the
 * lanes are added as {@link VectorKernels#sum} does. So a sequence's tokens do not depend on which other
 * sequences share its batch. The per-input code is written out, not a helper: a helper C2 does not inline
 * boxes its vector arguments and runs 3x slower.
 */
final class QuantizedGemm {

    static final int GROUP = 8;
    private static final int TILE_ROWS = 16;
    private static final int LANES = 8;
    /** Q4_0 groups of this many inputs or fewer use the single-input kernel. */
    private static final int SMALL_GROUP = 3;

    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Per-thread accumulators of one row tile: 8 inputs x 8 lanes per row. */
    private static final ThreadLocal<float[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[TILE_ROWS * GROUP * LANES]);
    /** Packed activations of the calling thread's current product. */
    private static final ThreadLocal<PackedInputs> PACKED = ThreadLocal.withInitial(PackedInputs::new);

    private QuantizedGemm() {
    }

    private static final class PackedInputs {
        float[] quants = new float[0];
        float[] scales = new float[0];
        /** Q4_0 only: the 8 per-lane "- 8" terms of each block ({@link MatmulInput#q4Corrections}). */
        float[] corrections = new float[0];

        /**
         * Packs {@code count} inputs; slots of the last group beyond {@code count} hold zeros. The quants are in the
         * order the weight kernel decodes: Q8_0 {@link MatmulInput#q8PermutedFloats}, Q4_0 natural order.
         */
        void pack(MatmulInput[] inputs, int count, int groups, int blocks, boolean q4) {
            int values = groups * GROUP * blocks * 32;
            if (quants.length < values) {
                quants = new float[values];
                scales = new float[groups * GROUP * blocks];
            }
            if (q4 && corrections.length < values / 4) {
                corrections = new float[values / 4];
            }
            for (int i = 0; i < groups * GROUP; i++) {
                int g = i / GROUP;
                int n = i % GROUP;
                float[] permuted = i < count && !q4 ? inputs[i].q8PermutedFloats() : null;
                byte[] q8 = i < count && q4 ? inputs[i].q8Quants() : null;
                float[] c = i < count && q4 ? inputs[i].q4Corrections() : null;
                float[] d = i < count ? inputs[i].q8Scales() : null;
                for (int b = 0; b < blocks; b++) {
                    int slot = (g * blocks + b) * GROUP + n;
                    if (i < count) {
                        if (q4) {
                            for (int e = 0; e < 32; e++) {
                                quants[slot * 32 + e] = q8[b * 32 + e];
                            }
                            System.arraycopy(c, b * 8, corrections, slot * 8, 8);
                        } else {
                            System.arraycopy(permuted, b * 32, quants, slot * 32, 32);
                        }
                        scales[slot] = d[b];
                    } else {
                        java.util.Arrays.fill(quants, slot * 32, slot * 32 + 32, 0f);
                        if (q4) {
                            java.util.Arrays.fill(corrections, slot * 8, slot * 8 + 8, 0f);
                        }
                        scales[slot] = 0f;
                    }
                }
            }
        }
    }

    /** {@code outputs[i][outputOffsets[i] + r] = row r . inputs[i]} for {@code count} inputs and Q8_0 weights {@code w}. */
    static void multiplyQ8_0(MemorySegment w, MatmulInput[] inputs, int count, float[][] outputs, int[] outputOffsets,
                             int rows, int cols, Parallel pool) {
        int blocks = cols / 32;
        int groups = (count + GROUP - 1) / GROUP;
        PackedInputs packed = PACKED.get();
        packed.pack(inputs, count, groups, blocks, false);
        float[] xq = packed.quants;
        float[] xd = packed.scales;
        int tiles = (rows + TILE_ROWS - 1) / TILE_ROWS;
        pool.forRange(tiles, (firstTile, endTile) -> {
            float[] acc = ACCUMULATORS.get();
            for (int tile = firstTile; tile < endTile; tile++) {
                int rowStart = tile * TILE_ROWS;
                int rowEnd = Math.min(rows, rowStart + TILE_ROWS);
                for (int g = 0; g < groups; g++) {
                    java.util.Arrays.fill(acc, 0, (rowEnd - rowStart) * GROUP * LANES, 0f);
                    int xBlock = g * blocks;
                    int inGroup = Math.min(GROUP, count - g * GROUP);
                    for (int r = rowStart; r < rowEnd; r++) {
                        long firstBlock = (long) r * blocks;
                        int accAt = (r - rowStart) * GROUP * LANES;
                        // Two passes of 4 inputs: 8 accumulators plus the decoded block do not fit in 16 registers.
                        q8_0(w, firstBlock, blocks, xq, xd, xBlock, acc, accAt, 0);
                        if (inGroup > 4) {
                            q8_0(w, firstBlock, blocks, xq, xd, xBlock, acc, accAt, 4);
                        }
                    }
                    for (int r = rowStart; r < rowEnd; r++) {
                        int accAt = (r - rowStart) * GROUP * LANES;
                        for (int n = 0; n < inGroup; n++) {
                            int a = accAt + n * LANES;
                            outputs[g * GROUP + n][outputOffsets[g * GROUP + n] + r] =
                                    VectorKernels.sum8(acc[a], acc[a + 1], acc[a + 2], acc[a + 3], acc[a + 4], acc[a + 5], acc[a + 6], acc[a + 7]);
                        }
                    }
                }
            }
        });
    }

    /**
     * The {@code blocks} Q8_0 blocks of the row whose first block is {@code firstBlock} against 4 of the 8 packed
     * inputs of {@code xBlock...} (from input {@code first}), added to their accumulators.
     */
    private static void q8_0(MemorySegment w, long firstBlock, int blocks, float[] xq, float[] xd, int xBlock,
                             float[] acc, int accAt, int first) {
        accAt += first * LANES;
        FloatVector acc0 = FloatVector.fromArray(F256, acc, accAt);
        FloatVector acc1 = FloatVector.fromArray(F256, acc, accAt + 8);
        FloatVector acc2 = FloatVector.fromArray(F256, acc, accAt + 16);
        FloatVector acc3 = FloatVector.fromArray(F256, acc, accAt + 24);
        long at = firstBlock * Q8_0Tensor.BLOCK_BYTES;
        int si = xBlock * GROUP + first;
        int xi = si * 32;
        for (int b = 0; b < blocks; b++, at += Q8_0Tensor.BLOCK_BYTES, xi += GROUP * 32, si += GROUP) {
            IntVector packedQuants = IntVector.fromMemorySegment(I256, w, at + 2, LE);
            FloatVector w0 = (FloatVector) packedQuants.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24)
                    .convertShape(VectorOperators.I2F, F256, 0);
            FloatVector w1 = (FloatVector) packedQuants.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 24)
                    .convertShape(VectorOperators.I2F, F256, 0);
            FloatVector w2 = (FloatVector) packedQuants.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 24)
                    .convertShape(VectorOperators.I2F, F256, 0);
            FloatVector w3 = (FloatVector) packedQuants.lanewise(VectorOperators.ASHR, 24).convertShape(VectorOperators.I2F, F256, 0);
            float d = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, at));
            acc0 = w1.fma(FloatVector.fromArray(F256, xq, xi + 8), w0.mul(FloatVector.fromArray(F256, xq, xi)))
                    .add(w3.fma(FloatVector.fromArray(F256, xq, xi + 24), w2.mul(FloatVector.fromArray(F256, xq, xi + 16)))).fma(FloatVector.broadcast(F256, d * xd[si]), acc0);
            acc1 = w1.fma(FloatVector.fromArray(F256, xq, xi + 40), w0.mul(FloatVector.fromArray(F256, xq, xi + 32)))
                    .add(w3.fma(FloatVector.fromArray(F256, xq, xi + 56), w2.mul(FloatVector.fromArray(F256, xq, xi + 48)))).fma(FloatVector.broadcast(F256, d * xd[si + 1]), acc1);
            acc2 = w1.fma(FloatVector.fromArray(F256, xq, xi + 72), w0.mul(FloatVector.fromArray(F256, xq, xi + 64)))
                    .add(w3.fma(FloatVector.fromArray(F256, xq, xi + 88), w2.mul(FloatVector.fromArray(F256, xq, xi + 80)))).fma(FloatVector.broadcast(F256, d * xd[si + 2]), acc2);
            acc3 = w1.fma(FloatVector.fromArray(F256, xq, xi + 104), w0.mul(FloatVector.fromArray(F256, xq, xi + 96)))
                    .add(w3.fma(FloatVector.fromArray(F256, xq, xi + 120), w2.mul(FloatVector.fromArray(F256, xq, xi + 112)))).fma(FloatVector.broadcast(F256, d * xd[si + 3]), acc3);
        }
        acc0.intoArray(acc, accAt);
        acc1.intoArray(acc, accAt + 8);
        acc2.intoArray(acc, accAt + 16);
        acc3.intoArray(acc, accAt + 24);
    }

    /**
     * The same for Q4_0 weights in {@link Q4_0Tensor}'s repacked layout. Each block is decoded once per pass of 4
     * inputs (two passes for 8). A short last group of {@value #SMALL_GROUP} inputs or fewer takes the single-input
     * kernel per input instead, row by row so each row is read from memory once (a pass over padding costs more).
     * Per block and input, lane j starts from the "- 8" term and sums the exact products of elements j, j+8, j+16,
     * j+24 as {@link VectorKernels#dotQ4_0} does; the nibbles are shifted down here (no mask registers: the 4
     * accumulators and 4 decoded vectors must stay in registers) and meet the plain quants, the same exact integers.
     */
    static void multiplyQ4_0(MemorySegment quants, MemorySegment scales, MatmulInput[] inputs, int count, float[][] outputs,
                             int[] outputOffsets, int rows, int cols, Parallel pool) {
        int blocks = cols / 32;
        int groups = (count + GROUP - 1) / GROUP;
        int lastGroupStart = (groups - 1) * GROUP;
        if (count - lastGroupStart <= SMALL_GROUP) {
            for (int i = lastGroupStart; i < count; i++) { // the single-input kernel's form, made before rows fan out
                inputs[i].q4Floats();
            }
        }
        PackedInputs packed = PACKED.get();
        packed.pack(inputs, count, groups, blocks, true);
        float[] x = packed.quants;
        float[] xc = packed.corrections;
        float[] xd = packed.scales;
        int tiles = (rows + TILE_ROWS - 1) / TILE_ROWS;
        pool.forRange(tiles, (firstTile, endTile) -> {
            float[] acc = ACCUMULATORS.get();
            for (int tile = firstTile; tile < endTile; tile++) {
                int rowStart = tile * TILE_ROWS;
                int rowEnd = Math.min(rows, rowStart + TILE_ROWS);
                for (int g = 0; g < groups; g++) {
                    int inGroup = Math.min(GROUP, count - g * GROUP);
                    for (int r = rowStart; r < rowEnd; r++) {
                        if (inGroup > SMALL_GROUP) {
                            // Two passes of 4 inputs: 8 accumulators plus the decoded block do not fit in 16 registers.
                            java.util.Arrays.fill(acc, 0, GROUP * LANES, 0f);
                            q4_0(quants, scales, (long) r * blocks, blocks, x, xc, xd, g * blocks, acc, 0);
                            if (inGroup > 4) {
                                q4_0(quants, scales, (long) r * blocks, blocks, x, xc, xd, g * blocks, acc, 4);
                            }
                            for (int n = 0; n < inGroup; n++) {
                                int a = n * LANES;
                                outputs[g * GROUP + n][outputOffsets[g * GROUP + n] + r] =
                                        VectorKernels.sum8(acc[a], acc[a + 1], acc[a + 2], acc[a + 3], acc[a + 4], acc[a + 5], acc[a + 6], acc[a + 7]);
                            }
                        } else {
                            for (int n = 0; n < inGroup; n++) {
                                MatmulInput in = inputs[g * GROUP + n];
                                outputs[g * GROUP + n][outputOffsets[g * GROUP + n] + r] = VectorKernels.dotQ4_0(quants, scales,
                                        (long) r * blocks, in.q4Floats(), in.q4Corrections(), in.q8Scales(), blocks);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * One Q4_0 row against 4 of the 8 packed inputs of {@code xBlock...} (from input {@code first}); lane results
     * go to {@code acc[8n..8n+7]} for input n.
     */
    private static void q4_0(MemorySegment quants, MemorySegment scales, long firstBlock, int blocks, float[] x, float[] xc,
                             float[] xd, int xBlock, float[] acc, int first) {
        FloatVector acc0 = FloatVector.zero(F256);
        FloatVector acc1 = FloatVector.zero(F256);
        FloatVector acc2 = FloatVector.zero(F256);
        FloatVector acc3 = FloatVector.zero(F256);
        long quantsAt = firstBlock * Q4_0Tensor.QUANT_BYTES;
        long scalesAt = firstBlock * 2;
        for (int b = 0; b < blocks; b++) {
            IntVector packed = (IntVector) ShortVector.fromMemorySegment(S128, quants, quantsAt + (long) b * Q4_0Tensor.QUANT_BYTES, LE)
                    .convertShape(VectorOperators.S2I, I256, 0);
            FloatVector w0 = (FloatVector) packed.lanewise(VectorOperators.LSHL, 28).lanewise(VectorOperators.LSHR, 28)
                    .convertShape(VectorOperators.I2F, F256, 0);
            FloatVector w1 = (FloatVector) packed.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.LSHR, 28)
                    .convertShape(VectorOperators.I2F, F256, 0);
            FloatVector w2 = (FloatVector) packed.lanewise(VectorOperators.LSHL, 20).lanewise(VectorOperators.LSHR, 28)
                    .convertShape(VectorOperators.I2F, F256, 0);
            FloatVector w3 = (FloatVector) packed.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.LSHR, 28)
                    .convertShape(VectorOperators.I2F, F256, 0);
            float d = Numbers.halfToFloat(scales.get(Numbers.SHORT_LE, scalesAt + (long) b * 2));
            int si = (xBlock + b) * GROUP + first;
            int xi = si * 32;
            int ci = si * 8;
            acc0 = w3.fma(FloatVector.fromArray(F256, x, xi + 24), w2.fma(FloatVector.fromArray(F256, x, xi + 16),
                    w1.fma(FloatVector.fromArray(F256, x, xi + 8), w0.fma(FloatVector.fromArray(F256, x, xi), FloatVector.fromArray(F256, xc, ci)))))
                    .fma(FloatVector.broadcast(F256, d * xd[si]), acc0);
            acc1 = w3.fma(FloatVector.fromArray(F256, x, xi + 56), w2.fma(FloatVector.fromArray(F256, x, xi + 48),
                    w1.fma(FloatVector.fromArray(F256, x, xi + 40), w0.fma(FloatVector.fromArray(F256, x, xi + 32), FloatVector.fromArray(F256, xc, ci + 8)))))
                    .fma(FloatVector.broadcast(F256, d * xd[si + 1]), acc1);
            acc2 = w3.fma(FloatVector.fromArray(F256, x, xi + 88), w2.fma(FloatVector.fromArray(F256, x, xi + 80),
                    w1.fma(FloatVector.fromArray(F256, x, xi + 72), w0.fma(FloatVector.fromArray(F256, x, xi + 64), FloatVector.fromArray(F256, xc, ci + 16)))))
                    .fma(FloatVector.broadcast(F256, d * xd[si + 2]), acc2);
            acc3 = w3.fma(FloatVector.fromArray(F256, x, xi + 120), w2.fma(FloatVector.fromArray(F256, x, xi + 112),
                    w1.fma(FloatVector.fromArray(F256, x, xi + 104), w0.fma(FloatVector.fromArray(F256, x, xi + 96), FloatVector.fromArray(F256, xc, ci + 24)))))
                    .fma(FloatVector.broadcast(F256, d * xd[si + 3]), acc3);
        }
        acc0.intoArray(acc, first * LANES);
        acc1.intoArray(acc, first * LANES + 8);
        acc2.intoArray(acc, first * LANES + 16);
        acc3.intoArray(acc, first * LANES + 24);
    }
}
