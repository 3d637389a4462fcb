package io.herd.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
 * way from the same activation order; Q4_0: {@code j, j+8, j+16, j+24}), integers that float holds exactly, so
 * the order of that sum does not matter; then {@code acc = sum * (d_w * d_x) + acc} in block order, and the
 * lanes are added as {@link VectorKernels#sum} does. So a sequence's tokens do not depend on which other
 * sequences share its batch. The per-input code is written out, not a helper: a helper C2 does not inline
 * boxes its vector arguments and runs 3x slower.
 */
final class QuantizedGemm {

    static final int GROUP = 8;
    private static final int TILE_ROWS = 16;
    private static final int LANES = 8;

    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;
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

        /** Packs {@code count} inputs; slots of the last group beyond {@code count} hold zeros. */
        void pack(MatmulInput[] inputs, int count, int groups, int blocks, boolean permuted) {
            int values = groups * GROUP * blocks * 32;
            if (quants.length < values) {
                quants = new float[values];
                scales = new float[groups * GROUP * blocks];
            }
            for (int i = 0; i < groups * GROUP; i++) {
                int g = i / GROUP;
                int n = i % GROUP;
                float[] q = i < count ? (permuted ? inputs[i].q8PermutedFloats() : inputs[i].q8FloatQuants()) : null;
                float[] d = i < count ? inputs[i].q8Scales() : null;
                for (int b = 0; b < blocks; b++) {
                    int slot = (g * blocks + b) * GROUP + n;
                    if (q != null) {
                        System.arraycopy(q, b * 32, quants, slot * 32, 32);
                        scales[slot] = d[b];
                    } else {
                        java.util.Arrays.fill(quants, slot * 32, slot * 32 + 32, 0f);
                        scales[slot] = 0f;
                    }
                }
            }
        }
    }

    /**
     * {@code outputs[i][outputOffsets[i] + r] = row r . inputs[i]} for {@code count} inputs; {@code blockBytes}
     * 34 (Q8_0) or 18 (Q4_0). Inputs must be prepared (their Q8_0 form computed). A last group of fewer than 8
     * inputs is padded with zeros; its second pass is skipped when it holds 4 inputs or fewer.
     */
    static void multiply(MemorySegment w, int blockBytes, MatmulInput[] inputs, int count, float[][] outputs,
                         int[] outputOffsets, int rows, int cols, Parallel pool) {
        int blocks = cols / 32;
        int groups = (count + GROUP - 1) / GROUP;
        boolean q4 = blockBytes == Q4_0Tensor.BLOCK_BYTES;
        PackedInputs packed = PACKED.get();
        packed.pack(inputs, count, groups, blocks, !q4);
        float[] xq = packed.quants;
        float[] xd = packed.scales;
        long rowBytes = (long) blocks * blockBytes;
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
                        long at = r * rowBytes;
                        int accAt = (r - rowStart) * GROUP * LANES;
                        // Two passes of 4 inputs: 8 accumulators plus the decoded block do not fit in 16 registers.
                        if (q4) {
                            q4_0(w, at, blocks, xq, xd, xBlock, acc, accAt, 0);
                            if (inGroup > 4) {
                                q4_0(w, at, blocks, xq, xd, xBlock, acc, accAt, 4);
                            }
                        } else {
                            q8_0(w, at, blocks, xq, xd, xBlock, acc, accAt, 0);
                            if (inGroup > 4) {
                                q8_0(w, at, blocks, xq, xd, xBlock, acc, accAt, 4);
                            }
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

    /** {@code blocks} Q8_0 blocks of one row at {@code at} against the 8 packed inputs of {@code xBlock...}. */
    private static void q8_0(MemorySegment w, long at, int blocks, float[] xq, float[] xd, int xBlock, float[] acc, int accAt, int first) {
        accAt += first * LANES;
        FloatVector acc0 = FloatVector.fromArray(F256, acc, accAt);
        FloatVector acc1 = FloatVector.fromArray(F256, acc, accAt + 8);
        FloatVector acc2 = FloatVector.fromArray(F256, acc, accAt + 16);
        FloatVector acc3 = FloatVector.fromArray(F256, acc, accAt + 24);
        int xi = (xBlock * GROUP + first) * 32;
        int si = xBlock * GROUP + first;
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

    /** As {@link #q8_0} for Q4_0: nibble {@code i} of bytes 0..15 is element i, the high nibble element i+16, minus 8. */
    private static void q4_0(MemorySegment w, long at, int blocks, float[] xq, float[] xd, int xBlock, float[] acc, int accAt, int first) {
        accAt += first * LANES;
        FloatVector acc0 = FloatVector.fromArray(F256, acc, accAt);
        FloatVector acc1 = FloatVector.fromArray(F256, acc, accAt + 8);
        FloatVector acc2 = FloatVector.fromArray(F256, acc, accAt + 16);
        FloatVector acc3 = FloatVector.fromArray(F256, acc, accAt + 24);
        int xi = (xBlock * GROUP + first) * 32;
        int si = xBlock * GROUP + first;
        for (int b = 0; b < blocks; b++, at += Q4_0Tensor.BLOCK_BYTES, xi += GROUP * 32, si += GROUP) {
            IntVector low = (IntVector) ByteVector.fromMemorySegment(B64, w, at + 2, LE).convertShape(VectorOperators.B2I, I256, 0);
            IntVector high = (IntVector) ByteVector.fromMemorySegment(B64, w, at + 10, LE).convertShape(VectorOperators.B2I, I256, 0);
            FloatVector w0 = (FloatVector) low.and(0x0F).sub(8).convertShape(VectorOperators.I2F, F256, 0);
            FloatVector w1 = (FloatVector) high.and(0x0F).sub(8).convertShape(VectorOperators.I2F, F256, 0);
            FloatVector w2 = (FloatVector) low.lanewise(VectorOperators.LSHR, 4).and(0x0F).sub(8).convertShape(VectorOperators.I2F, F256, 0);
            FloatVector w3 = (FloatVector) high.lanewise(VectorOperators.LSHR, 4).and(0x0F).sub(8).convertShape(VectorOperators.I2F, F256, 0);
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
}
