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
 * floats; Q4_0: {@code [group][weight group][run][input][16]} quants as shorts; a short last group padded with zeros)
 * so one array walk feeds every input; each thread takes tiles of 16 weight rows and runs every group over the tile
 * while it is in cache, each row streamed whole (the hardware prefetcher follows it; cutting rows into column chunks
 * measured slower). Each weight block is decoded once per 4 inputs.
 *
 * <p>Bit-identical to the single-input kernels ({@link VectorKernels#dotQ8_0}, {@link VectorKernels#dotQ4_0}):
 * Q8_0: per block every lane sums the same four products (quants {@code 4j..4j+3} in lane j, decoded the same way
 * from the same activation order), exact integers, so the order of that sum does not matter; then
 * {@code acc = sum * (d_w * d_x) + acc} in block order, and the lanes are added as {@link VectorKernels#sum} does.
 * Q4_0: every block's exact dot sits in its own 16-bit lane (wrapping sums, corrected by the activation sums), then
 * the same per-lane multiply-add and the same final sum. So a sequence's tokens do not depend on which other sequences
 * share its batch. The per-input code is written out, not a helper: a helper C2 does not inline boxes its vector
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

    /** Per-thread accumulators of one row tile: 8 inputs x 8 lanes per row (Q4_0: x 16). */
    private static final ThreadLocal<float[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[TILE_ROWS * GROUP * 2 * LANES]);
    /**
     * Q4_0 weight groups (512 columns) per column chunk of a prompt's product: 8 inputs' chunk is 16 KiB. Measured
     * per block and input at 1 thread: 1.52 ns (2 groups), 1.61 (1 or 4), 1.68-1.81 (whole rows).
     */
    private static final int CHUNK_GROUPS = 2;
    /** Packed activations of the calling thread's current product. */
    private static final ThreadLocal<PackedInputs> PACKED = ThreadLocal.withInitial(PackedInputs::new);

    private QuantizedGemm() {
    }

    private static final float[] ZERO_FLOATS = new float[64];
    private static final short[] ZERO_SHORTS = new short[64];

    private static final class PackedInputs {
        /** Q8_0: the quants as floats in {@link MatmulInput#q8PermutedFloats} order, {@code [group][block][input][32]}. */
        float[] quants = new float[0];
        /** Q8_0: the activation scales, {@code [group][block][input]}. */
        float[] scales = new float[0];
        /** Q4_0: the quants in {@link MatmulInput#q4Groups} order by runs of 16, {@code [group][weight group][run][input][16]}. */
        short[] groupQuants = new short[0];
        /** Q4_0: {@link MatmulInput#q4EightSums}, {@code [group][weight group][input][16]}. */
        short[] eightSums = new short[0];
        /** Q4_0: {@link MatmulInput#q4GroupScales}, {@code [group][weight group][input][16]}. */
        float[] groupScales = new float[0];

        /** Packs {@code count} inputs for Q8_0 weights; slots of the last group beyond {@code count} hold zeros. */
        void packQ8_0(MatmulInput[] inputs, int count, int groups, int blocks) {
            if (quants.length < groups * GROUP * blocks * 32) {
                quants = new float[groups * GROUP * blocks * 32];
            }
            interleave(inputs, count, groups, blocks, 32, MatmulInput::q8PermutedFloats, quants, ZERO_FLOATS);
            packScales(inputs, count, groups, blocks);
        }

        /** Packs {@code count} inputs for Q4_0 weights in {@code weightGroups} groups of 16 blocks; slots beyond {@code count} hold zeros. */
        void packQ4_0(MatmulInput[] inputs, int count, int groups, int weightGroups) {
            if (groupQuants.length < groups * GROUP * weightGroups * 512) {
                groupQuants = new short[groups * GROUP * weightGroups * 512];
                eightSums = new short[groups * GROUP * weightGroups * 16];
                groupScales = new float[groups * GROUP * weightGroups * 16];
            }
            interleave(inputs, count, groups, weightGroups * 32, 16, MatmulInput::q4Groups, groupQuants, ZERO_SHORTS);
            interleave(inputs, count, groups, weightGroups, 16, MatmulInput::q4EightSums, eightSums, ZERO_SHORTS);
            interleave(inputs, count, groups, weightGroups, 16, MatmulInput::q4GroupScales, groupScales, ZERO_FLOATS);
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
     * The same for Q4_0 weights in {@link Q4_0Tensor}'s groups of 16 blocks, row r starting at group
     * {@code r * groups(cols)}. Each run of 16 weight shorts is decoded once per pass of 4 inputs (two passes for 8).
     * A short last group of {@value #SMALL_GROUP} inputs or fewer takes the single-input kernel per input instead, row
     * by row so each row is read from memory once (a pass over padding costs more). The arithmetic per input is that
     * of {@link VectorKernels#dotQ4_0}.
     */
    static void multiplyQ4_0(MemorySegment quants, MemorySegment scales, MatmulInput[] inputs, int count, float[][] outputs,
                             int[] outputOffsets, int rows, int cols, Parallel pool) {
        int weightGroups = (int) Q4_0Tensor.groupsFor(cols);
        int groups = (count + GROUP - 1) / GROUP;
        PackedInputs packed = PACKED.get();
        packed.packQ4_0(inputs, count, groups, weightGroups);
        short[] x = packed.groupQuants;
        short[] eightSums = packed.eightSums;
        float[] xd = packed.groupScales;
        int tiles = (rows + TILE_ROWS - 1) / TILE_ROWS;
        // One group of inputs (a decode batch) streams each row whole, which the hardware prefetcher follows; more
        // (a prompt) read the tile from cache once per group, and then column chunks keep the inputs in L1.
        int columnChunk = groups > 1 ? CHUNK_GROUPS : weightGroups;
        pool.forRange(tiles, (firstTile, endTile) -> {
            float[] acc = ACCUMULATORS.get();
            for (int tile = firstTile; tile < endTile; tile++) {
                int rowStart = tile * TILE_ROWS;
                int rowEnd = Math.min(rows, rowStart + TILE_ROWS);
                for (int g = 0; g < groups; g++) {
                    int inGroup = Math.min(GROUP, count - g * GROUP);
                    if (inGroup > SMALL_GROUP) {
                        java.util.Arrays.fill(acc, 0, (rowEnd - rowStart) * GROUP * 2 * LANES, 0f);
                        // A chunk of columns at a time, every row of the tile: the chunk's packed inputs stay in L1
                        // (whole rows of 8 inputs would not), and the accumulators go through memory per weight group anyway.
                        for (int wg = 0; wg < weightGroups; wg += columnChunk) {
                            int chunk = Math.min(columnChunk, weightGroups - wg);
                            for (int r = rowStart; r < rowEnd; r++) {
                                long firstGroup = (long) r * weightGroups + wg;
                                int accAt = (r - rowStart) * GROUP * 2 * LANES;
                                // Two passes of 4 inputs: 8 sums plus the decoded run do not fit in 16 registers.
                                q4_0(quants, scales, firstGroup, chunk, x, eightSums, xd, g * weightGroups + wg, acc, accAt, 0);
                                if (inGroup > 4) {
                                    q4_0(quants, scales, firstGroup, chunk, x, eightSums, xd, g * weightGroups + wg, acc, accAt, 4);
                                }
                            }
                        }
                        for (int r = rowStart; r < rowEnd; r++) {
                            for (int n = 0; n < inGroup; n++) {
                                int a = (r - rowStart) * GROUP * 2 * LANES + n * 2 * LANES;
                                outputs[g * GROUP + n][outputOffsets[g * GROUP + n] + r] = VectorKernels.sum8(
                                        acc[a] + acc[a + 8], acc[a + 1] + acc[a + 9], acc[a + 2] + acc[a + 10], acc[a + 3] + acc[a + 11],
                                        acc[a + 4] + acc[a + 12], acc[a + 5] + acc[a + 13], acc[a + 6] + acc[a + 14], acc[a + 7] + acc[a + 15]);
                            }
                        }
                    } else {
                        for (int r = rowStart; r < rowEnd; r++) {
                            for (int n = 0; n < inGroup; n++) {
                                MatmulInput in = inputs[g * GROUP + n];
                                outputs[g * GROUP + n][outputOffsets[g * GROUP + n] + r] = VectorKernels.dotQ4_0(quants, scales,
                                        (long) r * weightGroups, in.q4Groups(), in.q4EightSums(), in.q4GroupScales(), weightGroups);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * {@code groups} weight groups of one Q4_0 row from weight group {@code firstGroup}, against 4 of the 8 packed
     * inputs (from input {@code first}) of the packed unit {@code unit} (input group * weight groups + column group) on;
     * input n's even-block lanes go to {@code acc[accAt + 16n ..]}, its odd ones after them.
     */
    private static void q4_0(MemorySegment quants, MemorySegment scales, long firstGroup, int groups, short[] x,
                             short[] eightSums, float[] xd, int unit, float[] acc, int accAt, int first) {
        long quantsAt = firstGroup * Q4_0Tensor.GROUP_BYTES;
        long scalesAt = firstGroup * Q4_0Tensor.GROUP_SCALE_BYTES;
        int ai = accAt + first * 2 * LANES;
        for (int wg = 0; wg < groups; wg++, quantsAt += Q4_0Tensor.GROUP_BYTES, scalesAt += Q4_0Tensor.GROUP_SCALE_BYTES) {
            ShortVector sum0 = ShortVector.zero(S256);
            ShortVector sum1 = sum0;
            ShortVector sum2 = sum0;
            ShortVector sum3 = sum0;
            int xi = ((unit + wg) * 32 * GROUP + first) * 16;
            for (int t = 0; t < 8; t++, xi += 4 * GROUP * 16) {
                ShortVector words = ShortVector.fromMemorySegment(S256, quants, quantsAt + 32L * t, LE);
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
            IntVector halves = IntVector.fromMemorySegment(I256, scales, scalesAt, LE);
            IntVector even = halves.and(0xFFFF);
            IntVector odd = halves.lanewise(VectorOperators.LSHR, 16);
            FloatVector dEven = even.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(even.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
            FloatVector dOdd = odd.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(odd.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(VectorKernels.HALF_TO_FLOAT_SCALE);
            int si = ((unit + wg) * GROUP + first) * 16;
            IntVector dots0 = sum0.sub(ShortVector.fromArray(S256, eightSums, si)).reinterpretAsInts();
            ((FloatVector) dots0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dEven.mul(FloatVector.fromArray(F256, xd, si)), FloatVector.fromArray(F256, acc, ai)).intoArray(acc, ai);
            ((FloatVector) dots0.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dOdd.mul(FloatVector.fromArray(F256, xd, si + 8)), FloatVector.fromArray(F256, acc, ai + 8)).intoArray(acc, ai + 8);
            IntVector dots1 = sum1.sub(ShortVector.fromArray(S256, eightSums, si + 16)).reinterpretAsInts();
            ((FloatVector) dots1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dEven.mul(FloatVector.fromArray(F256, xd, si + 16)), FloatVector.fromArray(F256, acc, ai + 16)).intoArray(acc, ai + 16);
            ((FloatVector) dots1.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dOdd.mul(FloatVector.fromArray(F256, xd, si + 24)), FloatVector.fromArray(F256, acc, ai + 24)).intoArray(acc, ai + 24);
            IntVector dots2 = sum2.sub(ShortVector.fromArray(S256, eightSums, si + 32)).reinterpretAsInts();
            ((FloatVector) dots2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dEven.mul(FloatVector.fromArray(F256, xd, si + 32)), FloatVector.fromArray(F256, acc, ai + 32)).intoArray(acc, ai + 32);
            ((FloatVector) dots2.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dOdd.mul(FloatVector.fromArray(F256, xd, si + 40)), FloatVector.fromArray(F256, acc, ai + 40)).intoArray(acc, ai + 40);
            IntVector dots3 = sum3.sub(ShortVector.fromArray(S256, eightSums, si + 48)).reinterpretAsInts();
            ((FloatVector) dots3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dEven.mul(FloatVector.fromArray(F256, xd, si + 48)), FloatVector.fromArray(F256, acc, ai + 48)).intoArray(acc, ai + 48);
            ((FloatVector) dots3.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dOdd.mul(FloatVector.fromArray(F256, xd, si + 56)), FloatVector.fromArray(F256, acc, ai + 56)).intoArray(acc, ai + 56);
        }
    }
}
