package io.herd.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.function.Function;

/**
 * Matrix-matrix product of Q8_0 or Q4_0 weights with 2 or more Q8_0 inputs (a prompt chunk, or the decode
 * steps of a batch). The inputs are packed in groups of 8 (Q8_0: {@code [group][block][input][32]} exact quants as
 * floats; Q4_0: {@code [group][pair][input][64]} quants as shorts; a short last group padded with zeros) so one array
 * walk feeds every input; each thread takes tiles of 16 weight rows and runs every group over the tile while it is in
 * cache, each row streamed whole (the hardware prefetcher follows it; cutting rows into column chunks measured
 * slower). Each weight block is decoded once per 4 inputs.
 *
 * <p>Bit-identical to the single-input kernels ({@link VectorKernels#dotQ8_0}, {@link VectorKernels#dotQ4_0}):
 * per block every lane sums the same four products (Q8_0: quants {@code 4j..4j+3} in lane j, decoded the same
 * way from the same activation order; Q4_0: elements {@code j, j+8, j+16, j+24}, "- 8" applied), exact integers, so
 * the order of that sum does not matter; then {@code acc = sum * (d_w * d_x) + acc} in block order, and the lanes
 * are added as {@link VectorKernels#sum} does. So a sequence's tokens do not depend on which other sequences share
 * its batch. The per-input code is written out, not a helper: a helper C2 does not inline boxes its vector
 * arguments and runs 3x slower.
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
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Per-thread accumulators of one row tile: 8 inputs x 8 lanes per row. */
    private static final ThreadLocal<float[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[TILE_ROWS * GROUP * LANES]);
    /** Packed activations of the calling thread's current product. */
    private static final ThreadLocal<PackedInputs> PACKED = ThreadLocal.withInitial(PackedInputs::new);

    private QuantizedGemm() {
    }

    private static final float[] ZERO_FLOATS = new float[64];
    private static final short[] ZERO_SHORTS = new short[64];

    private static final class PackedInputs {
        /** Q8_0: the quants as floats in {@link MatmulInput#q8PermutedFloats} order, {@code [group][block][input][32]}. */
        float[] quants = new float[0];
        /** Q4_0: the quants in {@link MatmulInput#q4Pairs} order, {@code [group][pair][input][64]}. */
        short[] pairs = new short[0];
        /** The activation scales, {@code [group][block][input]}. */
        float[] scales = new float[0];

        /** Packs {@code count} inputs for Q8_0 weights; slots of the last group beyond {@code count} hold zeros. */
        void packQ8_0(MatmulInput[] inputs, int count, int groups, int blocks) {
            if (quants.length < groups * GROUP * blocks * 32) {
                quants = new float[groups * GROUP * blocks * 32];
            }
            interleave(inputs, count, groups, blocks, 32, MatmulInput::q8PermutedFloats, quants, ZERO_FLOATS);
            packScales(inputs, count, groups, blocks);
        }

        /** Packs {@code count} inputs for Q4_0 weights ({@code blocks} even); slots beyond {@code count} hold zeros. */
        void packQ4_0(MatmulInput[] inputs, int count, int groups, int blocks) {
            if (pairs.length < groups * GROUP * blocks * 32) {
                pairs = new short[groups * GROUP * blocks * 32];
            }
            interleave(inputs, count, groups, blocks / 2, 64, MatmulInput::q4Pairs, pairs, ZERO_SHORTS);
            packScales(inputs, count, groups, blocks);
        }

        private void packScales(MatmulInput[] inputs, int count, int groups, int blocks) {
            if (scales.length < groups * GROUP * blocks) {
                scales = new float[groups * GROUP * blocks];
            }
            interleave(inputs, count, groups, blocks, 1, MatmulInput::q8Scales, scales, ZERO_FLOATS);
        }

        /**
         * {@code packed[((g * units + u) * GROUP + n) * length ..]} = unit u of {@code form} of input {@code g * GROUP + n}
         * (zeros past {@code count}). The forms are made here, on the calling thread, before rows fan out.
         */
        private static void interleave(MatmulInput[] inputs, int count, int groups, int units, int length,
                                       Function<MatmulInput, Object> form, Object packed, Object zeros) {
            for (int i = 0; i < groups * GROUP; i++) {
                int g = i / GROUP;
                int n = i % GROUP;
                Object source = i < count ? form.apply(inputs[i]) : zeros;
                for (int u = 0; u < units; u++) {
                    int slot = (g * units + u) * GROUP + n;
                    System.arraycopy(source, i < count ? u * length : 0, packed, slot * length, length);
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
        packed.packQ8_0(inputs, count, groups, blocks);
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
     * The same for Q4_0 weights in {@link Q4_0Tensor}'s block pairs ({@code cols} a multiple of 64). Each pair is
     * decoded once per pass of 4 inputs (two passes for 8). A short last group of {@value #SMALL_GROUP} inputs or
     * fewer takes the single-input kernel per input instead, row by row so each row is read from memory once (a pass
     * over padding costs more). The arithmetic per input is that of {@link VectorKernels#dotQ4_0}.
     */
    static void multiplyQ4_0(MemorySegment quants, MemorySegment scales, MatmulInput[] inputs, int count, float[][] outputs,
                             int[] outputOffsets, int rows, int cols, Parallel pool) {
        int blocks = cols / 32;
        int pairs = blocks / 2;
        int groups = (count + GROUP - 1) / GROUP;
        PackedInputs packed = PACKED.get();
        packed.packQ4_0(inputs, count, groups, blocks);
        short[] x = packed.pairs;
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
                            // Two passes of 4 inputs: 8 accumulators plus the decoded pair do not fit in 16 registers.
                            q4_0(quants, scales, (long) r * pairs, pairs, x, xd, g, blocks, acc, 0);
                            if (inGroup > 4) {
                                q4_0(quants, scales, (long) r * pairs, pairs, x, xd, g, blocks, acc, 4);
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
                                        (long) r * pairs, in.q4Pairs(), in.q8Scales(), pairs);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * One Q4_0 row (from pair {@code firstPair}) against 4 of the 8 packed inputs of group {@code group} (from input
     * {@code first}); lane results go to {@code acc[8n..8n+7]} for input n.
     */
    private static void q4_0(MemorySegment quants, MemorySegment scales, long firstPair, int pairs, short[] x, float[] xd,
                             int group, int blocks, float[] acc, int first) {
        FloatVector acc0 = FloatVector.zero(F256);
        FloatVector acc1 = FloatVector.zero(F256);
        FloatVector acc2 = FloatVector.zero(F256);
        FloatVector acc3 = FloatVector.zero(F256);
        long quantsAt = firstPair * Q4_0Tensor.PAIR_BYTES;
        long scalesAt = firstPair * 4;
        for (int p = 0; p < pairs; p++) {
            ShortVector words = ShortVector.fromMemorySegment(S256, quants, quantsAt + (long) p * Q4_0Tensor.PAIR_BYTES, LE);
            ShortVector w0 = words.and((short) 0xF).sub((short) 8);
            ShortVector w1 = words.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).sub((short) 8);
            ShortVector w2 = words.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).sub((short) 8);
            ShortVector w3 = words.lanewise(VectorOperators.LSHR, 12).sub((short) 8);
            float d0 = Numbers.halfToFloat(scales.get(Numbers.SHORT_LE, scalesAt + 4L * p));
            float d1 = Numbers.halfToFloat(scales.get(Numbers.SHORT_LE, scalesAt + 4L * p + 2));
            int si = (group * blocks + 2 * p) * GROUP + first; // block 2p's scales; block 2p+1's at si + GROUP
            int xi = ((group * pairs + p) * GROUP + first) * 64;
            IntVector sums;
            sums = w0.mul(ShortVector.fromArray(S256, x, xi)).add(w1.mul(ShortVector.fromArray(S256, x, xi + 16)))
                    .add(w2.mul(ShortVector.fromArray(S256, x, xi + 32))).add(w3.mul(ShortVector.fromArray(S256, x, xi + 48))).reinterpretAsInts();
            acc0 = ((FloatVector) sums.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F256, d0 * xd[si]), acc0);
            acc0 = ((FloatVector) sums.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F256, d1 * xd[si + GROUP]), acc0);
            sums = w0.mul(ShortVector.fromArray(S256, x, xi + 64)).add(w1.mul(ShortVector.fromArray(S256, x, xi + 80)))
                    .add(w2.mul(ShortVector.fromArray(S256, x, xi + 96))).add(w3.mul(ShortVector.fromArray(S256, x, xi + 112))).reinterpretAsInts();
            acc1 = ((FloatVector) sums.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F256, d0 * xd[si + 1]), acc1);
            acc1 = ((FloatVector) sums.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F256, d1 * xd[si + 1 + GROUP]), acc1);
            sums = w0.mul(ShortVector.fromArray(S256, x, xi + 128)).add(w1.mul(ShortVector.fromArray(S256, x, xi + 144)))
                    .add(w2.mul(ShortVector.fromArray(S256, x, xi + 160))).add(w3.mul(ShortVector.fromArray(S256, x, xi + 176))).reinterpretAsInts();
            acc2 = ((FloatVector) sums.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F256, d0 * xd[si + 2]), acc2);
            acc2 = ((FloatVector) sums.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F256, d1 * xd[si + 2 + GROUP]), acc2);
            sums = w0.mul(ShortVector.fromArray(S256, x, xi + 192)).add(w1.mul(ShortVector.fromArray(S256, x, xi + 208)))
                    .add(w2.mul(ShortVector.fromArray(S256, x, xi + 224))).add(w3.mul(ShortVector.fromArray(S256, x, xi + 240))).reinterpretAsInts();
            acc3 = ((FloatVector) sums.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F256, d0 * xd[si + 3]), acc3);
            acc3 = ((FloatVector) sums.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F256, d1 * xd[si + 3 + GROUP]), acc3);
        }
        acc0.intoArray(acc, first * LANES);
        acc1.intoArray(acc, first * LANES + 8);
        acc2.intoArray(acc, first * LANES + 16);
        acc3.intoArray(acc, first * LANES + 24);
    }
}
