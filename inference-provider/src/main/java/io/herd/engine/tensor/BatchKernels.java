package io.herd.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * One weight row against four activation rows at once: each weight block is loaded and widened once and
 * multiplied into four accumulators. Per activation row the operations and their order are exactly those
 * of {@link VectorKernels#dotQ8_0} / {@link VectorKernels#dotQ4_0}, so the results are bit-identical to
 * four single-row dot products.
 */
final class BatchKernels {

    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private BatchKernels() {
    }

    /** {@code out[k] = row · x_k} for the 4 inputs {@code x0..x3} (Q8_0 weights). */
    static void dotQ8_0x4(MemorySegment w, long byteOffset, int blocks, MatmulInput x0, MatmulInput x1,
                          MatmulInput x2, MatmulInput x3, float[] out) {
        short[] q0 = x0.q8WideQuants(), q1 = x1.q8WideQuants(), q2 = x2.q8WideQuants(), q3 = x3.q8WideQuants();
        float[] d0 = x0.q8Scales(), d1 = x1.q8Scales(), d2 = x2.q8Scales(), d3 = x3.q8Scales();
        FloatVector acc0 = FloatVector.zero(F256), acc1 = FloatVector.zero(F256);
        FloatVector acc2 = FloatVector.zero(F256), acc3 = FloatVector.zero(F256);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * Q8_0Tensor.BLOCK_BYTES;
            int xi = b * 32;
            ByteVector quants = ByteVector.fromMemorySegment(B256, w, block + 2, LE);
            ShortVector low = (ShortVector) quants.convertShape(VectorOperators.B2S, S256, 0);
            ShortVector high = (ShortVector) quants.convertShape(VectorOperators.B2S, S256, 1);
            float wd = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block));
            acc0 = accumulate(low, high, q0, xi, wd * d0[b], acc0);
            acc1 = accumulate(low, high, q1, xi, wd * d1[b], acc1);
            acc2 = accumulate(low, high, q2, xi, wd * d2[b], acc2);
            acc3 = accumulate(low, high, q3, xi, wd * d3[b], acc3);
        }
        out[0] = VectorKernels.sumLanes(acc0);
        out[1] = VectorKernels.sumLanes(acc1);
        out[2] = VectorKernels.sumLanes(acc2);
        out[3] = VectorKernels.sumLanes(acc3);
    }

    /** As {@link #dotQ8_0x4} for Q4_0 weights. */
    static void dotQ4_0x4(MemorySegment w, long byteOffset, int blocks, MatmulInput x0, MatmulInput x1,
                          MatmulInput x2, MatmulInput x3, float[] out) {
        short[] q0 = x0.q8WideQuants(), q1 = x1.q8WideQuants(), q2 = x2.q8WideQuants(), q3 = x3.q8WideQuants();
        float[] d0 = x0.q8Scales(), d1 = x1.q8Scales(), d2 = x2.q8Scales(), d3 = x3.q8Scales();
        FloatVector acc0 = FloatVector.zero(F256), acc1 = FloatVector.zero(F256);
        FloatVector acc2 = FloatVector.zero(F256), acc3 = FloatVector.zero(F256);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * Q4_0Tensor.BLOCK_BYTES;
            int xi = b * 32;
            ByteVector packed = ByteVector.fromMemorySegment(B128, w, block + 2, LE);
            ByteVector lowNibbles = packed.and((byte) 0x0F).sub((byte) 8);
            ByteVector highNibbles = packed.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).sub((byte) 8);
            ShortVector low = (ShortVector) lowNibbles.convertShape(VectorOperators.B2S, S256, 0);
            ShortVector high = (ShortVector) highNibbles.convertShape(VectorOperators.B2S, S256, 0);
            float wd = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block));
            acc0 = accumulate(low, high, q0, xi, wd * d0[b], acc0);
            acc1 = accumulate(low, high, q1, xi, wd * d1[b], acc1);
            acc2 = accumulate(low, high, q2, xi, wd * d2[b], acc2);
            acc3 = accumulate(low, high, q3, xi, wd * d3[b], acc3);
        }
        out[0] = VectorKernels.sumLanes(acc0);
        out[1] = VectorKernels.sumLanes(acc1);
        out[2] = VectorKernels.sumLanes(acc2);
        out[3] = VectorKernels.sumLanes(acc3);
    }

    private static FloatVector accumulate(ShortVector low, ShortVector high, short[] xq, int xi, float scale, FloatVector acc) {
        ShortVector products = low.mul(ShortVector.fromArray(S256, xq, xi))
                .add(high.mul(ShortVector.fromArray(S256, xq, xi + 16)));
        IntVector sums = ((IntVector) products.convertShape(VectorOperators.S2I, I256, 0))
                .add((IntVector) products.convertShape(VectorOperators.S2I, I256, 1));
        return ((FloatVector) sums.convertShape(VectorOperators.I2F, F256, 0)).fma(FloatVector.broadcast(F256, scale), acc);
    }
}
