package io.herd.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Vector API dot products for the hot weight layouts. Only loaded when {@link Kernels#VECTOR}; each
 * kernel computes the same integer block sums as its {@link ScalarKernels} twin (float rounding of the
 * accumulation may differ). 256-bit shapes throughout: a Q8_0 block is exactly one byte vector.
 */
final class VectorKernels {

    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorKernels() {
    }

    private static final VectorShuffle<Float> SWAP_4 = VectorShuffle.fromValues(F256, 4, 5, 6, 7, 0, 1, 2, 3);
    private static final VectorShuffle<Float> SWAP_2 = VectorShuffle.fromValues(F256, 2, 3, 0, 1, 6, 7, 4, 5);
    private static final VectorShuffle<Float> SWAP_1 = VectorShuffle.fromValues(F256, 1, 0, 3, 2, 5, 4, 7, 6);

    /**
     * Sum of the 8 lanes in a fixed pairwise order. {@code reduceLanes(ADD)} leaves the float order
     * unspecified, and the interpreter/C1 fallback and the C2 intrinsic do differ, so the same dot product
     * gave different last bits before and after JIT compilation; lane-wise adds are exact in every tier.
     */
    static float sumLanes(FloatVector v) {
        FloatVector fours = v.add(v.rearrange(SWAP_4));
        FloatVector twos = fours.add(fours.rearrange(SWAP_2));
        return twos.add(twos.rearrange(SWAP_1)).lane(0);
    }

    static float dotF32(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        int step = F256.length();
        int upper = n - n % (4 * step);
        FloatVector acc0 = FloatVector.zero(F256);
        FloatVector acc1 = FloatVector.zero(F256);
        FloatVector acc2 = FloatVector.zero(F256);
        FloatVector acc3 = FloatVector.zero(F256);
        int i = 0;
        for (; i < upper; i += 4 * step) {
            long at = byteOffset + 4L * i;
            acc0 = FloatVector.fromMemorySegment(F256, w, at, LE).fma(FloatVector.fromArray(F256, x, xOffset + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F256, w, at + 4L * step, LE).fma(FloatVector.fromArray(F256, x, xOffset + i + step), acc1);
            acc2 = FloatVector.fromMemorySegment(F256, w, at + 8L * step, LE).fma(FloatVector.fromArray(F256, x, xOffset + i + 2 * step), acc2);
            acc3 = FloatVector.fromMemorySegment(F256, w, at + 12L * step, LE).fma(FloatVector.fromArray(F256, x, xOffset + i + 3 * step), acc3);
        }
        for (; i + step <= n; i += step) {
            acc0 = FloatVector.fromMemorySegment(F256, w, byteOffset + 4L * i, LE).fma(FloatVector.fromArray(F256, x, xOffset + i), acc0);
        }
        float sum = sumLanes(acc0.add(acc1).add(acc2.add(acc3)));
        for (; i < n; i++) {
            sum += w.get(Numbers.FLOAT_LE, byteOffset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    static float dotBF16(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        int step = F256.length();
        FloatVector acc = FloatVector.zero(F256);
        int i = 0;
        for (; i + step <= n; i += step) {
            ShortVector raw = ShortVector.fromMemorySegment(S128, w, byteOffset + 2L * i, LE);
            FloatVector weights = ((IntVector) raw.convertShape(VectorOperators.S2I, I256, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            acc = weights.fma(FloatVector.fromArray(F256, x, xOffset + i), acc);
        }
        float sum = sumLanes(acc);
        for (; i < n; i++) {
            sum += Numbers.bfloat16ToFloat(w.get(Numbers.SHORT_LE, byteOffset + 2L * i)) * x[xOffset + i];
        }
        return sum;
    }

    /**
     * Q8_0 x Q8_0. Products fit in 16 bits (|q| <= 128 * 127) and so does the sum of two, so each block is
     * two 16-lane short multiplies, one add, and a widening to 8 int lanes.
     */
    static float dotQ8_0(MemorySegment w, long byteOffset, short[] xq, float[] xd, int xBlock, int blocks) {
        FloatVector acc = FloatVector.zero(F256);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * Q8_0Tensor.BLOCK_BYTES;
            int xi = (xBlock + b) * 32;
            ByteVector quants = ByteVector.fromMemorySegment(B256, w, block + 2, LE);
            ShortVector low = (ShortVector) quants.convertShape(VectorOperators.B2S, S256, 0);
            ShortVector high = (ShortVector) quants.convertShape(VectorOperators.B2S, S256, 1);
            ShortVector products = low.mul(ShortVector.fromArray(S256, xq, xi))
                    .add(high.mul(ShortVector.fromArray(S256, xq, xi + 16)));
            IntVector sums = ((IntVector) products.convertShape(VectorOperators.S2I, I256, 0))
                    .add((IntVector) products.convertShape(VectorOperators.S2I, I256, 1));
            float scale = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block)) * xd[xBlock + b];
            acc = ((FloatVector) sums.convertShape(VectorOperators.I2F, F256, 0)).fma(FloatVector.broadcast(F256, scale), acc);
        }
        return sumLanes(acc);
    }

    /** Q4_0 x Q8_0: nibbles unpacked to signed bytes, then as {@link #dotQ8_0}. */
    static float dotQ4_0(MemorySegment w, long byteOffset, short[] xq, float[] xd, int xBlock, int blocks) {
        FloatVector acc = FloatVector.zero(F256);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * Q4_0Tensor.BLOCK_BYTES;
            int xi = (xBlock + b) * 32;
            // Widen first, split nibbles in 16-bit lanes: x86 has no byte shifts.
            ShortVector packed = (ShortVector) ByteVector.fromMemorySegment(B128, w, block + 2, LE)
                    .convertShape(VectorOperators.B2S, S256, 0);
            ShortVector low = packed.and((short) 0x0F).sub((short) 8);
            ShortVector high = packed.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).sub((short) 8);
            ShortVector products = low.mul(ShortVector.fromArray(S256, xq, xi))
                    .add(high.mul(ShortVector.fromArray(S256, xq, xi + 16)));
            IntVector sums = ((IntVector) products.convertShape(VectorOperators.S2I, I256, 0))
                    .add((IntVector) products.convertShape(VectorOperators.S2I, I256, 1));
            float scale = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block)) * xd[xBlock + b];
            acc = ((FloatVector) sums.convertShape(VectorOperators.I2F, F256, 0)).fma(FloatVector.broadcast(F256, scale), acc);
        }
        return sumLanes(acc);
    }

    static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int step = F256.length();
        FloatVector acc0 = FloatVector.zero(F256);
        FloatVector acc1 = FloatVector.zero(F256);
        int i = 0;
        for (; i + 2 * step <= n; i += 2 * step) {
            acc0 = FloatVector.fromArray(F256, a, aOffset + i).fma(FloatVector.fromArray(F256, b, bOffset + i), acc0);
            acc1 = FloatVector.fromArray(F256, a, aOffset + i + step).fma(FloatVector.fromArray(F256, b, bOffset + i + step), acc1);
        }
        for (; i + step <= n; i += step) {
            acc0 = FloatVector.fromArray(F256, a, aOffset + i).fma(FloatVector.fromArray(F256, b, bOffset + i), acc0);
        }
        float sum = sumLanes(acc0.add(acc1));
        for (; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    static void addScaled(float[] y, int yOffset, float a, float[] x, int xOffset, int n) {
        int step = F256.length();
        FloatVector scale = FloatVector.broadcast(F256, a);
        int i = 0;
        for (; i + step <= n; i += step) {
            FloatVector.fromArray(F256, x, xOffset + i).fma(scale, FloatVector.fromArray(F256, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] += a * x[xOffset + i];
        }
    }

    /**
     * A weight row already widened to shorts ({@code wq}) with its block scales ({@code wd}) against a Q8_0
     * input. Same operations in the same order as {@link #dotQ8_0}/{@link #dotQ4_0}, hence bit-identical
     * results; used when one decoded row serves several inputs.
     */
    static float dotWide(short[] wq, float[] wd, short[] xq, float[] xd, int blocks) {
        FloatVector acc = FloatVector.zero(F256);
        for (int b = 0; b < blocks; b++) {
            int i = b * 32;
            ShortVector products = ShortVector.fromArray(S256, wq, i).mul(ShortVector.fromArray(S256, xq, i))
                    .add(ShortVector.fromArray(S256, wq, i + 16).mul(ShortVector.fromArray(S256, xq, i + 16)));
            IntVector sums = ((IntVector) products.convertShape(VectorOperators.S2I, I256, 0))
                    .add((IntVector) products.convertShape(VectorOperators.S2I, I256, 1));
            acc = ((FloatVector) sums.convertShape(VectorOperators.I2F, F256, 0)).fma(FloatVector.broadcast(F256, wd[b] * xd[b]), acc);
        }
        return sumLanes(acc);
    }

    /** Widens a row of Q8_0 blocks to shorts and float scales. */
    static void widenQ8_0(MemorySegment w, long byteOffset, int blocks, short[] wq, float[] wd) {
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * Q8_0Tensor.BLOCK_BYTES;
            ByteVector quants = ByteVector.fromMemorySegment(B256, w, block + 2, LE);
            quants.convertShape(VectorOperators.B2S, S256, 0).reinterpretAsShorts().intoArray(wq, b * 32);
            quants.convertShape(VectorOperators.B2S, S256, 1).reinterpretAsShorts().intoArray(wq, b * 32 + 16);
            wd[b] = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block));
        }
    }

    /** Widens a row of Q4_0 blocks to signed shorts (nibble - 8) and float scales. */
    static void widenQ4_0(MemorySegment w, long byteOffset, int blocks, short[] wq, float[] wd) {
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * Q4_0Tensor.BLOCK_BYTES;
            ShortVector packed = (ShortVector) ByteVector.fromMemorySegment(B128, w, block + 2, LE)
                    .convertShape(VectorOperators.B2S, S256, 0);
            packed.and((short) 0x0F).sub((short) 8).intoArray(wq, b * 32);
            packed.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).sub((short) 8).intoArray(wq, b * 32 + 16);
            wd[b] = Numbers.halfToFloat(w.get(Numbers.SHORT_LE, block));
        }
    }
}
