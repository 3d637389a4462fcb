package io.herd.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * One weight row against 8 activation rows at once: each weight block is loaded and widened to floats
 * once and multiplied into 8 accumulators. The per-row code is written out (not a helper method) so that
 * the JIT keeps every vector in a register; a helper that fails to inline boxes them and runs 3x slower.
 *
 * <p>Bit-identical to {@link VectorKernels#dotQ8_0} / {@link VectorKernels#dotQ4_0} per activation row: those
 * form, per block, 8 integer lane sums {@code w[j]x[j] + w[j+8]x[j+8] + w[j+16]x[j+16] + w[j+24]x[j+24]} and
 * then {@code acc = float(sum) * scale + acc}. Here the same four products per lane are summed with float
 * multiply-adds: every product (at most 128 * 127) and partial sum (below 2^16) is an integer that float
 * holds exactly, so the lane sums are the same numbers, and the scale step is the same operation. Float
 * multiply-adds run on more ports than the 16-bit multiplies and widening conversions of the single-row kernels.
 */
final class BatchKernels {

    /** Activation rows per kernel call. */
    static final int ROWS = 8;

    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private BatchKernels() {
    }

    /** {@code out[k] = row · x_k} for the 8 inputs starting at {@code inputs[first]} (Q8_0 weights). */
    static void dotQ8_0Rows(MemorySegment w, long byteOffset, int blocks, MatmulInput[] inputs, int first, float[] out) {
        float[] q0 = inputs[first + 0].q8FloatQuants();
        float[] d0 = inputs[first + 0].q8Scales();
        float[] q1 = inputs[first + 1].q8FloatQuants();
        float[] d1 = inputs[first + 1].q8Scales();
        float[] q2 = inputs[first + 2].q8FloatQuants();
        float[] d2 = inputs[first + 2].q8Scales();
        float[] q3 = inputs[first + 3].q8FloatQuants();
        float[] d3 = inputs[first + 3].q8Scales();
        float[] q4 = inputs[first + 4].q8FloatQuants();
        float[] d4 = inputs[first + 4].q8Scales();
        float[] q5 = inputs[first + 5].q8FloatQuants();
        float[] d5 = inputs[first + 5].q8Scales();
        float[] q6 = inputs[first + 6].q8FloatQuants();
        float[] d6 = inputs[first + 6].q8Scales();
        float[] q7 = inputs[first + 7].q8FloatQuants();
        float[] d7 = inputs[first + 7].q8Scales();
        FloatVector acc0 = FloatVector.zero(F256);
        FloatVector acc1 = FloatVector.zero(F256);
        FloatVector acc2 = FloatVector.zero(F256);
        FloatVector acc3 = FloatVector.zero(F256);
        FloatVector acc4 = FloatVector.zero(F256);
        FloatVector acc5 = FloatVector.zero(F256);
        FloatVector acc6 = FloatVector.zero(F256);
        FloatVector acc7 = FloatVector.zero(F256);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * Q8_0Tensor.BLOCK_BYTES;
            int xi = b * 32;
            ByteVector quants = ByteVector.fromMemorySegment(B256, w, block + 2, LE);
            FloatVector w0 = (FloatVector) quants.convertShape(VectorOperators.B2F, F256, 0);
            FloatVector w1 = (FloatVector) quants.convertShape(VectorOperators.B2F, F256, 1);
            FloatVector w2 = (FloatVector) quants.convertShape(VectorOperators.B2F, F256, 2);
            FloatVector w3 = (FloatVector) quants.convertShape(VectorOperators.B2F, F256, 3);
            float wd = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block));
            FloatVector s0 = w0.mul(FloatVector.fromArray(F256, q0, xi));
            s0 = w1.fma(FloatVector.fromArray(F256, q0, xi + 8), s0);
            s0 = w2.fma(FloatVector.fromArray(F256, q0, xi + 16), s0);
            s0 = w3.fma(FloatVector.fromArray(F256, q0, xi + 24), s0);
            acc0 = s0.fma(FloatVector.broadcast(F256, wd * d0[b]), acc0);
            FloatVector s1 = w0.mul(FloatVector.fromArray(F256, q1, xi));
            s1 = w1.fma(FloatVector.fromArray(F256, q1, xi + 8), s1);
            s1 = w2.fma(FloatVector.fromArray(F256, q1, xi + 16), s1);
            s1 = w3.fma(FloatVector.fromArray(F256, q1, xi + 24), s1);
            acc1 = s1.fma(FloatVector.broadcast(F256, wd * d1[b]), acc1);
            FloatVector s2 = w0.mul(FloatVector.fromArray(F256, q2, xi));
            s2 = w1.fma(FloatVector.fromArray(F256, q2, xi + 8), s2);
            s2 = w2.fma(FloatVector.fromArray(F256, q2, xi + 16), s2);
            s2 = w3.fma(FloatVector.fromArray(F256, q2, xi + 24), s2);
            acc2 = s2.fma(FloatVector.broadcast(F256, wd * d2[b]), acc2);
            FloatVector s3 = w0.mul(FloatVector.fromArray(F256, q3, xi));
            s3 = w1.fma(FloatVector.fromArray(F256, q3, xi + 8), s3);
            s3 = w2.fma(FloatVector.fromArray(F256, q3, xi + 16), s3);
            s3 = w3.fma(FloatVector.fromArray(F256, q3, xi + 24), s3);
            acc3 = s3.fma(FloatVector.broadcast(F256, wd * d3[b]), acc3);
            FloatVector s4 = w0.mul(FloatVector.fromArray(F256, q4, xi));
            s4 = w1.fma(FloatVector.fromArray(F256, q4, xi + 8), s4);
            s4 = w2.fma(FloatVector.fromArray(F256, q4, xi + 16), s4);
            s4 = w3.fma(FloatVector.fromArray(F256, q4, xi + 24), s4);
            acc4 = s4.fma(FloatVector.broadcast(F256, wd * d4[b]), acc4);
            FloatVector s5 = w0.mul(FloatVector.fromArray(F256, q5, xi));
            s5 = w1.fma(FloatVector.fromArray(F256, q5, xi + 8), s5);
            s5 = w2.fma(FloatVector.fromArray(F256, q5, xi + 16), s5);
            s5 = w3.fma(FloatVector.fromArray(F256, q5, xi + 24), s5);
            acc5 = s5.fma(FloatVector.broadcast(F256, wd * d5[b]), acc5);
            FloatVector s6 = w0.mul(FloatVector.fromArray(F256, q6, xi));
            s6 = w1.fma(FloatVector.fromArray(F256, q6, xi + 8), s6);
            s6 = w2.fma(FloatVector.fromArray(F256, q6, xi + 16), s6);
            s6 = w3.fma(FloatVector.fromArray(F256, q6, xi + 24), s6);
            acc6 = s6.fma(FloatVector.broadcast(F256, wd * d6[b]), acc6);
            FloatVector s7 = w0.mul(FloatVector.fromArray(F256, q7, xi));
            s7 = w1.fma(FloatVector.fromArray(F256, q7, xi + 8), s7);
            s7 = w2.fma(FloatVector.fromArray(F256, q7, xi + 16), s7);
            s7 = w3.fma(FloatVector.fromArray(F256, q7, xi + 24), s7);
            acc7 = s7.fma(FloatVector.broadcast(F256, wd * d7[b]), acc7);
        }
        out[0] = VectorKernels.sum(acc0);
        out[1] = VectorKernels.sum(acc1);
        out[2] = VectorKernels.sum(acc2);
        out[3] = VectorKernels.sum(acc3);
        out[4] = VectorKernels.sum(acc4);
        out[5] = VectorKernels.sum(acc5);
        out[6] = VectorKernels.sum(acc6);
        out[7] = VectorKernels.sum(acc7);
    }

    /** {@code out[k] = row · x_k} for the 8 inputs starting at {@code inputs[first]} (Q4_0 weights). */
    static void dotQ4_0Rows(MemorySegment w, long byteOffset, int blocks, MatmulInput[] inputs, int first, float[] out) {
        float[] q0 = inputs[first + 0].q8FloatQuants();
        float[] d0 = inputs[first + 0].q8Scales();
        float[] q1 = inputs[first + 1].q8FloatQuants();
        float[] d1 = inputs[first + 1].q8Scales();
        float[] q2 = inputs[first + 2].q8FloatQuants();
        float[] d2 = inputs[first + 2].q8Scales();
        float[] q3 = inputs[first + 3].q8FloatQuants();
        float[] d3 = inputs[first + 3].q8Scales();
        float[] q4 = inputs[first + 4].q8FloatQuants();
        float[] d4 = inputs[first + 4].q8Scales();
        float[] q5 = inputs[first + 5].q8FloatQuants();
        float[] d5 = inputs[first + 5].q8Scales();
        float[] q6 = inputs[first + 6].q8FloatQuants();
        float[] d6 = inputs[first + 6].q8Scales();
        float[] q7 = inputs[first + 7].q8FloatQuants();
        float[] d7 = inputs[first + 7].q8Scales();
        FloatVector acc0 = FloatVector.zero(F256);
        FloatVector acc1 = FloatVector.zero(F256);
        FloatVector acc2 = FloatVector.zero(F256);
        FloatVector acc3 = FloatVector.zero(F256);
        FloatVector acc4 = FloatVector.zero(F256);
        FloatVector acc5 = FloatVector.zero(F256);
        FloatVector acc6 = FloatVector.zero(F256);
        FloatVector acc7 = FloatVector.zero(F256);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * Q4_0Tensor.BLOCK_BYTES;
            int xi = b * 32;
            ByteVector packed = ByteVector.fromMemorySegment(B128, w, block + 2, LE);
            ByteVector low = packed.and((byte) 0x0F).sub((byte) 8);
            ByteVector high = packed.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).sub((byte) 8);
            FloatVector w0 = (FloatVector) low.convertShape(VectorOperators.B2F, F256, 0);
            FloatVector w1 = (FloatVector) low.convertShape(VectorOperators.B2F, F256, 1);
            FloatVector w2 = (FloatVector) high.convertShape(VectorOperators.B2F, F256, 0);
            FloatVector w3 = (FloatVector) high.convertShape(VectorOperators.B2F, F256, 1);
            float wd = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block));
            FloatVector s0 = w0.mul(FloatVector.fromArray(F256, q0, xi));
            s0 = w1.fma(FloatVector.fromArray(F256, q0, xi + 8), s0);
            s0 = w2.fma(FloatVector.fromArray(F256, q0, xi + 16), s0);
            s0 = w3.fma(FloatVector.fromArray(F256, q0, xi + 24), s0);
            acc0 = s0.fma(FloatVector.broadcast(F256, wd * d0[b]), acc0);
            FloatVector s1 = w0.mul(FloatVector.fromArray(F256, q1, xi));
            s1 = w1.fma(FloatVector.fromArray(F256, q1, xi + 8), s1);
            s1 = w2.fma(FloatVector.fromArray(F256, q1, xi + 16), s1);
            s1 = w3.fma(FloatVector.fromArray(F256, q1, xi + 24), s1);
            acc1 = s1.fma(FloatVector.broadcast(F256, wd * d1[b]), acc1);
            FloatVector s2 = w0.mul(FloatVector.fromArray(F256, q2, xi));
            s2 = w1.fma(FloatVector.fromArray(F256, q2, xi + 8), s2);
            s2 = w2.fma(FloatVector.fromArray(F256, q2, xi + 16), s2);
            s2 = w3.fma(FloatVector.fromArray(F256, q2, xi + 24), s2);
            acc2 = s2.fma(FloatVector.broadcast(F256, wd * d2[b]), acc2);
            FloatVector s3 = w0.mul(FloatVector.fromArray(F256, q3, xi));
            s3 = w1.fma(FloatVector.fromArray(F256, q3, xi + 8), s3);
            s3 = w2.fma(FloatVector.fromArray(F256, q3, xi + 16), s3);
            s3 = w3.fma(FloatVector.fromArray(F256, q3, xi + 24), s3);
            acc3 = s3.fma(FloatVector.broadcast(F256, wd * d3[b]), acc3);
            FloatVector s4 = w0.mul(FloatVector.fromArray(F256, q4, xi));
            s4 = w1.fma(FloatVector.fromArray(F256, q4, xi + 8), s4);
            s4 = w2.fma(FloatVector.fromArray(F256, q4, xi + 16), s4);
            s4 = w3.fma(FloatVector.fromArray(F256, q4, xi + 24), s4);
            acc4 = s4.fma(FloatVector.broadcast(F256, wd * d4[b]), acc4);
            FloatVector s5 = w0.mul(FloatVector.fromArray(F256, q5, xi));
            s5 = w1.fma(FloatVector.fromArray(F256, q5, xi + 8), s5);
            s5 = w2.fma(FloatVector.fromArray(F256, q5, xi + 16), s5);
            s5 = w3.fma(FloatVector.fromArray(F256, q5, xi + 24), s5);
            acc5 = s5.fma(FloatVector.broadcast(F256, wd * d5[b]), acc5);
            FloatVector s6 = w0.mul(FloatVector.fromArray(F256, q6, xi));
            s6 = w1.fma(FloatVector.fromArray(F256, q6, xi + 8), s6);
            s6 = w2.fma(FloatVector.fromArray(F256, q6, xi + 16), s6);
            s6 = w3.fma(FloatVector.fromArray(F256, q6, xi + 24), s6);
            acc6 = s6.fma(FloatVector.broadcast(F256, wd * d6[b]), acc6);
            FloatVector s7 = w0.mul(FloatVector.fromArray(F256, q7, xi));
            s7 = w1.fma(FloatVector.fromArray(F256, q7, xi + 8), s7);
            s7 = w2.fma(FloatVector.fromArray(F256, q7, xi + 16), s7);
            s7 = w3.fma(FloatVector.fromArray(F256, q7, xi + 24), s7);
            acc7 = s7.fma(FloatVector.broadcast(F256, wd * d7[b]), acc7);
        }
        out[0] = VectorKernels.sum(acc0);
        out[1] = VectorKernels.sum(acc1);
        out[2] = VectorKernels.sum(acc2);
        out[3] = VectorKernels.sum(acc3);
        out[4] = VectorKernels.sum(acc4);
        out[5] = VectorKernels.sum(acc5);
        out[6] = VectorKernels.sum(acc6);
        out[7] = VectorKernels.sum(acc7);
    }
}
