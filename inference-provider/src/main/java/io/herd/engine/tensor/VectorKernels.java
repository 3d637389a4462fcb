package io.herd.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Double> D256 = DoubleVector.SPECIES_256;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Little-endian shorts at any byte index of a {@code byte[]} (the K-quants' fp16 factors). */
    private static final VarHandle SHORTS_LE = MethodHandles.byteArrayViewVarHandle(short[].class, LE);
    /** Swaps the two halves of 8 floats. */
    private static final VectorShuffle<Float> ROTATE_FOUR = VectorShuffle.fromValues(F256, 4, 5, 6, 7, 0, 1, 2, 3);
    /** Swaps neighbouring pairs of floats within each half. */
    private static final VectorShuffle<Float> ROTATE_TWO = VectorShuffle.fromValues(F256, 2, 3, 0, 1, 6, 7, 4, 5);
    /** Lanes 4-7. */
    private static final VectorMask<Float> HIGH_HALF = VectorMask.fromValues(F256, false, false, false, false, true, true, true, true);
    /** Lanes 2, 3, 6 and 7. */
    private static final VectorMask<Float> UPPER_PAIRS = VectorMask.fromValues(F256, false, false, true, true, false, false, true, true);
    /** Swaps the two floats of every rotated pair (RoPE). */
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromValues(F256, 1, 0, 3, 2, 5, 4, 7, 6);

    private VectorKernels() {
    }

    /**
     * Sum of the 8 lanes in the order of ggml's AVX2 {@code hsum_float_8} (upper half onto lower, then
     * {@code movehl}, then {@code movehdup}), so that a dot product rounds as llama.cpp's does. Not
     * {@code reduceLanes}: its compiled (tree) and interpreted (sequential) forms round differently, which
     * would make results depend on JIT timing.
     */
    static float sum(FloatVector v) {
        // constant indices let C2 use plain lane extracts
        return sum8(v.lane(0), v.lane(1), v.lane(2), v.lane(3), v.lane(4), v.lane(5), v.lane(6), v.lane(7));
    }

    /** Per-thread lanes of {@link #attentionScores}' four scores on their way out of a vector. */
    private static final ThreadLocal<float[]> LANE_SUMS = ThreadLocal.withInitial(() -> new float[8]);

    /** {@link #sum(FloatVector)} of lanes held in scalars or an array. */
    static float sum8(float l0, float l1, float l2, float l3, float l4, float l5, float l6, float l7) {
        return ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7));
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
        float sum = sum(acc0.add(acc1).add(acc2.add(acc3)));
        for (; i < n; i++) {
            sum += w.get(Numbers.FLOAT_LE, byteOffset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    /**
     * IEEE half-precision weights: each 8 halves widened to 32 bits and converted in vector form (exponent rebiased
     * by one multiply by 2^112, which also scales subnormal halves exactly; infinities and NaNs take an all-ones
     * exponent), two accumulators. The Vector API has no half-precision conversion; the scalar loop it replaces, one
     * {@link Numbers#halfToFloat} per weight, took 5.6x the time of the BF16 kernel (MatmulBenchmark, 2048 x 2048).
     */
    static float dotF16(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        int step = F256.length();
        FloatVector acc0 = FloatVector.zero(F256);
        FloatVector acc1 = acc0;
        int i = 0;
        for (; i + 2 * step <= n; i += 2 * step) {
            IntVector bits = (IntVector) ShortVector.fromMemorySegment(S128, w, byteOffset + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, I256, 0);
            IntVector magnitude = bits.and(0x7FFF);
            IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
            FloatVector weights = shifted.reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).reinterpretAsInts()
                    .blend(shifted.or(0x7F800000), magnitude.compare(VectorOperators.GE, 0x7C00))
                    .or(bits.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            acc0 = weights.fma(FloatVector.fromArray(F256, x, xOffset + i), acc0);
            bits = (IntVector) ShortVector.fromMemorySegment(S128, w, byteOffset + 2L * (i + step), LE)
                    .convertShape(VectorOperators.S2I, I256, 0);
            magnitude = bits.and(0x7FFF);
            shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
            weights = shifted.reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).reinterpretAsInts()
                    .blend(shifted.or(0x7F800000), magnitude.compare(VectorOperators.GE, 0x7C00))
                    .or(bits.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            acc1 = weights.fma(FloatVector.fromArray(F256, x, xOffset + i + step), acc1);
        }
        float sum = sum(acc0.add(acc1));
        for (; i < n; i++) {
            sum += Numbers.halfToFloat(w.get(Numbers.SHORT_LE, byteOffset + 2L * i)) * x[xOffset + i];
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
        float sum = sum(acc);
        for (; i < n; i++) {
            sum += Numbers.bfloat16ToFloat(w.get(Numbers.SHORT_LE, byteOffset + 2L * i)) * x[xOffset + i];
        }
        return sum;
    }

    /**
     * Q8_0 ({@link Q8_0Tensor}'s groups of 8 blocks) x Q8_0 ({@link MatmulInput#q8Lanes}) over {@code groups} groups
     * from group {@code firstGroup}. Per group, float lane l belongs to block l: quant j of the 8 blocks is one 8-byte
     * load widened to floats, multiplied with the activations' run j; every product and partial sum is an integer
     * below 2^24, so the 4 partial sums (shorter dependency chains) add up exactly to each block's integer dot in any
     * order. Then {@code acc = dot * (d_w * d_x) + acc} per lane, the fp16 scales converted in vector form, and the
     * lanes are added by {@link #sum8}. {@link #dotQ8_0Rows} and the batched kernel ({@link QuantizedGemm}) do the same
     * per row and input, so results do not depend on the row set or the batch.
     */
    static float dotQ8_0(byte[] quants, short[] scales, int firstGroup, float[] x, float[] xd, int groups) {
        FloatVector acc = FloatVector.zero(F256);
        int quantsAt = firstGroup * Q8_0Tensor.GROUP_BYTES;
        int scalesAt = firstGroup * Q8_0Tensor.GROUP_BLOCKS;
        for (int g = 0; g < groups; g++, quantsAt += Q8_0Tensor.GROUP_BYTES, scalesAt += Q8_0Tensor.GROUP_BLOCKS) {
            FloatVector sum0 = FloatVector.zero(F256);
            FloatVector sum1 = sum0;
            FloatVector sum2 = sum0;
            FloatVector sum3 = sum0;
            int xi = g * 256;
            for (int j = 0; j < 32; j += 4, xi += 32) {
                int at = quantsAt + 8 * j;
                sum0 = ((FloatVector) ByteVector.fromArray(B64, quants, at).convertShape(VectorOperators.B2F, F256, 0))
                        .fma(FloatVector.fromArray(F256, x, xi), sum0);
                sum1 = ((FloatVector) ByteVector.fromArray(B64, quants, at + 8).convertShape(VectorOperators.B2F, F256, 0))
                        .fma(FloatVector.fromArray(F256, x, xi + 8), sum1);
                sum2 = ((FloatVector) ByteVector.fromArray(B64, quants, at + 16).convertShape(VectorOperators.B2F, F256, 0))
                        .fma(FloatVector.fromArray(F256, x, xi + 16), sum2);
                sum3 = ((FloatVector) ByteVector.fromArray(B64, quants, at + 24).convertShape(VectorOperators.B2F, F256, 0))
                        .fma(FloatVector.fromArray(F256, x, xi + 24), sum3);
            }
            // fp16 -> fp32 of the 8 scales as in dotQ4_0, written out here and in the other Q8_0 kernels: even a helper
            // that only returns the vector was not inlined in some C2 compiles (NodeCountInliningCutoff), which boxes it
            IntVector halves = (IntVector) ShortVector.fromArray(S128, scales, scalesAt).convertShape(VectorOperators.S2I, I256, 0);
            FloatVector d = halves.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(halves.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE);
            acc = sum0.add(sum1).add(sum2.add(sum3)).fma(d.mul(FloatVector.fromArray(F256, xd, g * 8)), acc);
        }
        return sum8(acc.lane(0), acc.lane(1), acc.lane(2), acc.lane(3), acc.lane(4), acc.lane(5), acc.lane(6), acc.lane(7));
    }

    /**
     * {@link #dotQ8_0} of four rows at once, from groups {@code group0 + k * stride} ({@code k = 0..3}), into
     * {@code out[outAt + k * outStride]}, with the same arithmetic per row (the partial sums are exact integers, so
     * one chain per row equals the one-row kernel's four): each activation load serves the four rows, the four chains
     * keep the FMA units busy, and the rows are four memory streams in flight; see {@link FloatTensor#forRowSets}.
     * Two rows with two chains each measured 20-40% slower: C2 unrolled that loop and spilled its vectors.
     */
    static void dotQ8_0Rows(byte[] quants, short[] scales, int group0, int stride, float[] x, float[] xd, int groups,
                             float[] out, int outAt, int outStride) {
        FloatVector acc0 = FloatVector.zero(F256);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        int at0 = group0 * Q8_0Tensor.GROUP_BYTES;
        int at1 = (group0 + stride) * Q8_0Tensor.GROUP_BYTES;
        int at2 = (group0 + 2 * stride) * Q8_0Tensor.GROUP_BYTES;
        int at3 = (group0 + 3 * stride) * Q8_0Tensor.GROUP_BYTES;
        int sc0 = group0 * Q8_0Tensor.GROUP_BLOCKS;
        int scStride = stride * Q8_0Tensor.GROUP_BLOCKS;
        for (int g = 0; g < groups; g++, at0 += Q8_0Tensor.GROUP_BYTES, at1 += Q8_0Tensor.GROUP_BYTES, at2 += Q8_0Tensor.GROUP_BYTES,
                at3 += Q8_0Tensor.GROUP_BYTES, sc0 += Q8_0Tensor.GROUP_BLOCKS) {
            FloatVector s0 = FloatVector.zero(F256);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            int xi = g * 256;
            for (int j = 0; j < 32; j++, xi += 8) {
                FloatVector v = FloatVector.fromArray(F256, x, xi);
                s0 = ((FloatVector) ByteVector.fromArray(B64, quants, at0 + 8 * j).convertShape(VectorOperators.B2F, F256, 0)).fma(v, s0);
                s1 = ((FloatVector) ByteVector.fromArray(B64, quants, at1 + 8 * j).convertShape(VectorOperators.B2F, F256, 0)).fma(v, s1);
                s2 = ((FloatVector) ByteVector.fromArray(B64, quants, at2 + 8 * j).convertShape(VectorOperators.B2F, F256, 0)).fma(v, s2);
                s3 = ((FloatVector) ByteVector.fromArray(B64, quants, at3 + 8 * j).convertShape(VectorOperators.B2F, F256, 0)).fma(v, s3);
            }
            FloatVector xdv = FloatVector.fromArray(F256, xd, g * 8);
            IntVector h = (IntVector) ShortVector.fromArray(S128, scales, sc0).convertShape(VectorOperators.S2I, I256, 0);
            acc0 = s0.fma(h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).mul(xdv), acc0);
            h = (IntVector) ShortVector.fromArray(S128, scales, sc0 + scStride).convertShape(VectorOperators.S2I, I256, 0);
            acc1 = s1.fma(h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).mul(xdv), acc1);
            h = (IntVector) ShortVector.fromArray(S128, scales, sc0 + 2 * scStride).convertShape(VectorOperators.S2I, I256, 0);
            acc2 = s2.fma(h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).mul(xdv), acc2);
            h = (IntVector) ShortVector.fromArray(S128, scales, sc0 + 3 * scStride).convertShape(VectorOperators.S2I, I256, 0);
            acc3 = s3.fma(h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).mul(xdv), acc3);
        }
        out[outAt] = sum8(acc0.lane(0), acc0.lane(1), acc0.lane(2), acc0.lane(3), acc0.lane(4), acc0.lane(5), acc0.lane(6), acc0.lane(7));
        out[outAt + outStride] = sum8(acc1.lane(0), acc1.lane(1), acc1.lane(2), acc1.lane(3), acc1.lane(4), acc1.lane(5), acc1.lane(6), acc1.lane(7));
        out[outAt + 2 * outStride] = sum8(acc2.lane(0), acc2.lane(1), acc2.lane(2), acc2.lane(3), acc2.lane(4), acc2.lane(5), acc2.lane(6), acc2.lane(7));
        out[outAt + 3 * outStride] = sum8(acc3.lane(0), acc3.lane(1), acc3.lane(2), acc3.lane(3), acc3.lane(4), acc3.lane(5), acc3.lane(6), acc3.lane(7));
    }

    /**
     * Q4_0 ({@link Q4_0Tensor}'s groups of 16 blocks) x Q8_0 ({@link MatmulInput#q4Groups}) over {@code groups} groups
     * from group {@code firstGroup}. Per group, lane l of every 16-bit vector belongs to block l: nibble k of run t
     * is multiplied with the activations' run (t, k) and the 32 products of a block are summed in its lane. The
     * nibbles are unsigned, so the sums wrap in 16 bits; subtracting 8 times the activation sum ({@link
     * MatmulInput#q4EightSums}) leaves the exact dot of {@code nibble - 8}, at most 32 * 8 * 127 in magnitude. Read as
     * 8 ints, the low halves are the even blocks and the high halves the odd ones; each half is converted to float
     * and {@code acc = dot * (d_w * d_x) + acc} per lane, the fp16 scales converted in vector form. The batched kernel
     * ({@link QuantizedGemm}) does the same per input, so results do not depend on the batch.
     */
    static float dotQ4_0(short[] quants, short[] scales, int firstGroup, short[] x, short[] eightSums,
                         float[] xd, int groups) {
        FloatVector accEven = FloatVector.zero(F256);
        FloatVector accOdd = FloatVector.zero(F256);
        int quantsAt = firstGroup * Q4_0Tensor.GROUP_SHORTS;
        int scalesAt = firstGroup * Q4_0Tensor.GROUP_SHORTS + Q4_0Tensor.SCALES_AT;
        for (int g = 0; g < groups; g++, quantsAt += Q4_0Tensor.GROUP_SHORTS, scalesAt += Q4_0Tensor.GROUP_SHORTS) {
            int xi = g * 512;
            // two partial sums (16-bit adds wrap, so any order is exact) halve the dependency chain
            ShortVector sum0 = ShortVector.zero(S256);
            ShortVector sum1 = ShortVector.zero(S256);
            for (int t = 0; t < 8; t += 2, xi += 128) {
                ShortVector v = ShortVector.fromArray(S256, quants, quantsAt + 16 * t);
                sum0 = sum0.add(v.and((short) 0xF).mul(ShortVector.fromArray(S256, x, xi)))
                        .add(v.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(ShortVector.fromArray(S256, x, xi + 16)))
                        .add(v.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(ShortVector.fromArray(S256, x, xi + 32)))
                        .add(v.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S256, x, xi + 48)));
                ShortVector u = ShortVector.fromArray(S256, quants, quantsAt + 16 * t + 16);
                sum1 = sum1.add(u.and((short) 0xF).mul(ShortVector.fromArray(S256, x, xi + 64)))
                        .add(u.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(ShortVector.fromArray(S256, x, xi + 80)))
                        .add(u.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(ShortVector.fromArray(S256, x, xi + 96)))
                        .add(u.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S256, x, xi + 112)));
            }
            IntVector dots = sum0.add(sum1).sub(ShortVector.fromArray(S256, eightSums, g * 16)).reinterpretAsInts();
            // fp16 -> fp32 of the 16 scales, exact for every finite value (weights hold no inf/NaN); written out here:
            // a helper taking vectors is not inlined into this loop and boxes them
            IntVector halves = ShortVector.fromArray(S256, scales, scalesAt).reinterpretAsInts();
            IntVector even = halves.and(0xFFFF);
            IntVector odd = halves.lanewise(VectorOperators.LSHR, 16);
            FloatVector dEven = even.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(even.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE);
            FloatVector dOdd = odd.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(odd.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE);
            accEven = ((FloatVector) dots.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dEven.mul(FloatVector.fromArray(F256, xd, g * 16)), accEven);
            accOdd = ((FloatVector) dots.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dOdd.mul(FloatVector.fromArray(F256, xd, g * 16 + 8)), accOdd);
        }
        // sum(total) written out: the kernel is past C2's node budget for inlining it, and a call boxes the vector
        FloatVector total = accEven.add(accOdd);
        return sum8(total.lane(0), total.lane(1), total.lane(2), total.lane(3), total.lane(4), total.lane(5), total.lane(6), total.lane(7));
    }

    /**
     * {@link #dotQ4_0} of four rows at once, from groups {@code group0 + k * stride} ({@code k = 0..3}, in groups), into
     * {@code out[outAt + k * outStride]}, with the same arithmetic per row (its 16-bit sums wrap, so one sum per row
     * equals the two partial sums of the one-row kernel): the activations are loaded once for the four, and the four
     * rows are four memory streams in flight; see {@link FloatTensor#forRowSets}. Four rows measured 10-15% faster than
     * two (DRAM-resident 5632 x 2048, in-process: 1.26-1.34 against 1.48-1.56 ns per block at 2 threads).
     */
    static void dotQ4_0Rows(short[] quants, short[] scales, int group0, int stride, short[] x, short[] eightSums,
                            float[] xd, int groups, float[] out, int outAt, int outStride) {
        FloatVector accEven0 = FloatVector.zero(F256);
        FloatVector accOdd0 = accEven0;
        int quants0 = (group0 + 0 * stride) * Q4_0Tensor.GROUP_SHORTS;
        int scales0 = (group0 + 0 * stride) * Q4_0Tensor.GROUP_SHORTS + Q4_0Tensor.SCALES_AT;
        FloatVector accEven1 = FloatVector.zero(F256);
        FloatVector accOdd1 = accEven1;
        int quants1 = (group0 + 1 * stride) * Q4_0Tensor.GROUP_SHORTS;
        int scales1 = (group0 + 1 * stride) * Q4_0Tensor.GROUP_SHORTS + Q4_0Tensor.SCALES_AT;
        FloatVector accEven2 = FloatVector.zero(F256);
        FloatVector accOdd2 = accEven2;
        int quants2 = (group0 + 2 * stride) * Q4_0Tensor.GROUP_SHORTS;
        int scales2 = (group0 + 2 * stride) * Q4_0Tensor.GROUP_SHORTS + Q4_0Tensor.SCALES_AT;
        FloatVector accEven3 = FloatVector.zero(F256);
        FloatVector accOdd3 = accEven3;
        int quants3 = (group0 + 3 * stride) * Q4_0Tensor.GROUP_SHORTS;
        int scales3 = (group0 + 3 * stride) * Q4_0Tensor.GROUP_SHORTS + Q4_0Tensor.SCALES_AT;
        for (int g = 0; g < groups; g++) {
            int xi = g * 512;
            ShortVector sum0 = ShortVector.zero(S256);
            ShortVector sum1 = ShortVector.zero(S256);
            ShortVector sum2 = ShortVector.zero(S256);
            ShortVector sum3 = ShortVector.zero(S256);
            for (int t = 0; t < 8; t++, xi += 64) {
                ShortVector x0 = ShortVector.fromArray(S256, x, xi);
                ShortVector x1 = ShortVector.fromArray(S256, x, xi + 16);
                ShortVector x2 = ShortVector.fromArray(S256, x, xi + 32);
                ShortVector x3 = ShortVector.fromArray(S256, x, xi + 48);
                ShortVector w0 = ShortVector.fromArray(S256, quants, quants0 + 16 * t);
                sum0 = sum0.add(w0.and((short) 0xF).mul(x0)).add(w0.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(x1))
                        .add(w0.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(x2)).add(w0.lanewise(VectorOperators.LSHR, 12).mul(x3));
                ShortVector w1 = ShortVector.fromArray(S256, quants, quants1 + 16 * t);
                sum1 = sum1.add(w1.and((short) 0xF).mul(x0)).add(w1.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(x1))
                        .add(w1.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(x2)).add(w1.lanewise(VectorOperators.LSHR, 12).mul(x3));
                ShortVector w2 = ShortVector.fromArray(S256, quants, quants2 + 16 * t);
                sum2 = sum2.add(w2.and((short) 0xF).mul(x0)).add(w2.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(x1))
                        .add(w2.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(x2)).add(w2.lanewise(VectorOperators.LSHR, 12).mul(x3));
                ShortVector w3 = ShortVector.fromArray(S256, quants, quants3 + 16 * t);
                sum3 = sum3.add(w3.and((short) 0xF).mul(x0)).add(w3.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(x1))
                        .add(w3.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(x2)).add(w3.lanewise(VectorOperators.LSHR, 12).mul(x3));
            }
            ShortVector sums = ShortVector.fromArray(S256, eightSums, g * 16);
            FloatVector xdEven = FloatVector.fromArray(F256, xd, g * 16);
            FloatVector xdOdd = FloatVector.fromArray(F256, xd, g * 16 + 8);
            IntVector dots0 = sum0.sub(sums).reinterpretAsInts();
            IntVector halves0 = ShortVector.fromArray(S256, scales, scales0).reinterpretAsInts();
            IntVector even0 = halves0.and(0xFFFF);
            IntVector odd0 = halves0.lanewise(VectorOperators.LSHR, 16);
            accEven0 = ((FloatVector) dots0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(even0.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(even0.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                            .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).mul(xdEven), accEven0);
            accOdd0 = ((FloatVector) dots0.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(odd0.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(odd0.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                            .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).mul(xdOdd), accOdd0);
            quants0 += Q4_0Tensor.GROUP_SHORTS;
            scales0 += Q4_0Tensor.GROUP_SHORTS;
            IntVector dots1 = sum1.sub(sums).reinterpretAsInts();
            IntVector halves1 = ShortVector.fromArray(S256, scales, scales1).reinterpretAsInts();
            IntVector even1 = halves1.and(0xFFFF);
            IntVector odd1 = halves1.lanewise(VectorOperators.LSHR, 16);
            accEven1 = ((FloatVector) dots1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(even1.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(even1.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                            .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).mul(xdEven), accEven1);
            accOdd1 = ((FloatVector) dots1.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(odd1.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(odd1.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                            .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).mul(xdOdd), accOdd1);
            quants1 += Q4_0Tensor.GROUP_SHORTS;
            scales1 += Q4_0Tensor.GROUP_SHORTS;
            IntVector dots2 = sum2.sub(sums).reinterpretAsInts();
            IntVector halves2 = ShortVector.fromArray(S256, scales, scales2).reinterpretAsInts();
            IntVector even2 = halves2.and(0xFFFF);
            IntVector odd2 = halves2.lanewise(VectorOperators.LSHR, 16);
            accEven2 = ((FloatVector) dots2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(even2.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(even2.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                            .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).mul(xdEven), accEven2);
            accOdd2 = ((FloatVector) dots2.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(odd2.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(odd2.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                            .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).mul(xdOdd), accOdd2);
            quants2 += Q4_0Tensor.GROUP_SHORTS;
            scales2 += Q4_0Tensor.GROUP_SHORTS;
            IntVector dots3 = sum3.sub(sums).reinterpretAsInts();
            IntVector halves3 = ShortVector.fromArray(S256, scales, scales3).reinterpretAsInts();
            IntVector even3 = halves3.and(0xFFFF);
            IntVector odd3 = halves3.lanewise(VectorOperators.LSHR, 16);
            accEven3 = ((FloatVector) dots3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(even3.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(even3.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                            .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).mul(xdEven), accEven3);
            accOdd3 = ((FloatVector) dots3.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(odd3.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(odd3.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                            .reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).mul(xdOdd), accOdd3);
            quants3 += Q4_0Tensor.GROUP_SHORTS;
            scales3 += Q4_0Tensor.GROUP_SHORTS;
        }
        FloatVector total0 = accEven0.add(accOdd0);
        out[outAt + 0 * outStride] = sum8(total0.lane(0), total0.lane(1), total0.lane(2), total0.lane(3), total0.lane(4), total0.lane(5), total0.lane(6), total0.lane(7));
        FloatVector total1 = accEven1.add(accOdd1);
        out[outAt + 1 * outStride] = sum8(total1.lane(0), total1.lane(1), total1.lane(2), total1.lane(3), total1.lane(4), total1.lane(5), total1.lane(6), total1.lane(7));
        FloatVector total2 = accEven2.add(accOdd2);
        out[outAt + 2 * outStride] = sum8(total2.lane(0), total2.lane(1), total2.lane(2), total2.lane(3), total2.lane(4), total2.lane(5), total2.lane(6), total2.lane(7));
        FloatVector total3 = accEven3.add(accOdd3);
        out[outAt + 3 * outStride] = sum8(total3.lane(0), total3.lane(1), total3.lane(2), total3.lane(3), total3.lane(4), total3.lane(5), total3.lane(6), total3.lane(7));
    }

    /**
     * fp16 -> fp32: a half's exponent and mantissa shifted into a float's place read as 2^-112 times the half's value
     * (a subnormal float for a subnormal half), and this factor restores it exactly.
     */
    static final float HALF_TO_FLOAT_SCALE = 0x1p112f;

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
        float sum = sum(acc0.add(acc1));
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
     * Q4_K x Q8_K on {@link Q4_KTensor}'s repacked super-blocks (from byte {@code firstBlock}) and the input's
     * {@link MatmulInput#qKLanes}. Each of a super-block's 4 words is 16 lanes of 4 nibbles; lane {@code 2s + h} adds
     * half h of sub-block s in 16-bit (at most 16 * 15 * 127 in magnitude, so exact), the two halves are added as ints,
     * and the 8 sub-block dots are scaled and summed exactly, as are the mins against the activations' sub-block sums.
     * Then {@code sum += d * scaled - dmin * mins} per super-block, as the scalar fallback ({@link Q4_KTensor#dotScalar}) does, so the result
     * equals it bit for bit.
     */
    static float dotQ4_K(byte[] w, int firstBlock, short[] x, float[] xd, int[] pairSums, int blocks) {
        float sum = 0;
        for (int b = 0, block = firstBlock; b < blocks; b++, block += Q4_KTensor.PACKED_BYTES) {
            ShortVector acc0 = ShortVector.zero(S256);
            ShortVector acc1 = acc0;
            for (int t = 0, xi = b * 256; t < 4; t++, xi += 64) {
                ShortVector q = ByteVector.fromArray(B256, w, block + Q4_KTensor.PACKED_QS + 32 * t).reinterpretAsShorts();
                acc0 = acc0.add(q.and((short) 0x0F).mul(ShortVector.fromArray(S256, x, xi)))
                        .add(q.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F).mul(ShortVector.fromArray(S256, x, xi + 32)));
                acc1 = acc1.add(q.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S256, x, xi + 16)))
                        .add(q.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S256, x, xi + 48)));
            }
            IntVector halves = acc0.add(acc1).reinterpretAsInts();
            IntVector dots = halves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(halves.lanewise(VectorOperators.ASHR, 16));
            IntVector scales = (IntVector) ByteVector.fromArray(B64, w, block + Q4_KTensor.PACKED_SCALES)
                    .convertShape(VectorOperators.B2I, I256, 0);
            IntVector mins = (IntVector) ByteVector.fromArray(B64, w, block + Q4_KTensor.PACKED_MINS)
                    .convertShape(VectorOperators.B2I, I256, 0);
            int scaled = dots.mul(scales).reduceLanes(VectorOperators.ADD);
            int minSum = mins.mul(IntVector.fromArray(I256, pairSums, 8 * b)).reduceLanes(VectorOperators.ADD);
            float d = Numbers.halfToFloat((short) SHORTS_LE.get(w, block)) * xd[b];
            float dmin = Numbers.halfToFloat((short) SHORTS_LE.get(w, block + 2)) * xd[b];
            sum += d * scaled - dmin * minSum;
        }
        return sum;
    }

    /**
     * {@link #dotQ4_K} of one row against four inputs at once (their {@link MatmulInput#qKLanes},
     * {@link MatmulInput#qKPairSums} and scales), into {@code out[0..4)}: each word's nibbles are taken apart once for
     * the four. Every result equals {@link #dotQ4_K} of that input.
     */
    static void dotQ4_KFourInputs(byte[] w, int firstBlock, int blocks, short[] x0, short[] x1, short[] x2, short[] x3,
                                  int[] pairs0, int[] pairs1, int[] pairs2, int[] pairs3, float[] xd0, float[] xd1,
                                  float[] xd2, float[] xd3, float[] out) {
        float sum0 = 0;
        float sum1 = 0;
        float sum2 = 0;
        float sum3 = 0;
        for (int b = 0, block = firstBlock; b < blocks; b++, block += Q4_KTensor.PACKED_BYTES) {
            ShortVector acc0 = ShortVector.zero(S256);
            ShortVector acc1 = acc0;
            ShortVector acc2 = acc0;
            ShortVector acc3 = acc0;
            for (int t = 0, xi = b * 256; t < 4; t++, xi += 64) {
                ShortVector q = ByteVector.fromArray(B256, w, block + Q4_KTensor.PACKED_QS + 32 * t).reinterpretAsShorts();
                ShortVector n0 = q.and((short) 0x0F);
                ShortVector n1 = q.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F);
                ShortVector n2 = q.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F);
                ShortVector n3 = q.lanewise(VectorOperators.LSHR, 12);
                acc0 = acc0.add(n0.mul(ShortVector.fromArray(S256, x0, xi)).add(n2.mul(ShortVector.fromArray(S256, x0, xi + 32))))
                        .add(n1.mul(ShortVector.fromArray(S256, x0, xi + 16)).add(n3.mul(ShortVector.fromArray(S256, x0, xi + 48))));
                acc1 = acc1.add(n0.mul(ShortVector.fromArray(S256, x1, xi)).add(n2.mul(ShortVector.fromArray(S256, x1, xi + 32))))
                        .add(n1.mul(ShortVector.fromArray(S256, x1, xi + 16)).add(n3.mul(ShortVector.fromArray(S256, x1, xi + 48))));
                acc2 = acc2.add(n0.mul(ShortVector.fromArray(S256, x2, xi)).add(n2.mul(ShortVector.fromArray(S256, x2, xi + 32))))
                        .add(n1.mul(ShortVector.fromArray(S256, x2, xi + 16)).add(n3.mul(ShortVector.fromArray(S256, x2, xi + 48))));
                acc3 = acc3.add(n0.mul(ShortVector.fromArray(S256, x3, xi)).add(n2.mul(ShortVector.fromArray(S256, x3, xi + 32))))
                        .add(n1.mul(ShortVector.fromArray(S256, x3, xi + 16)).add(n3.mul(ShortVector.fromArray(S256, x3, xi + 48))));
            }
            IntVector scales = (IntVector) ByteVector.fromArray(B64, w, block + Q4_KTensor.PACKED_SCALES)
                    .convertShape(VectorOperators.B2I, I256, 0);
            IntVector mins = (IntVector) ByteVector.fromArray(B64, w, block + Q4_KTensor.PACKED_MINS)
                    .convertShape(VectorOperators.B2I, I256, 0);
            float d = Numbers.halfToFloat((short) SHORTS_LE.get(w, block));
            float dmin = Numbers.halfToFloat((short) SHORTS_LE.get(w, block + 2));
            IntVector halves = acc0.reinterpretAsInts();
            int scaled = halves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(halves.lanewise(VectorOperators.ASHR, 16)).mul(scales).reduceLanes(VectorOperators.ADD);
            int minSum = mins.mul(IntVector.fromArray(I256, pairs0, 8 * b)).reduceLanes(VectorOperators.ADD);
            sum0 += d * xd0[b] * scaled - dmin * xd0[b] * minSum;
            halves = acc1.reinterpretAsInts();
            scaled = halves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(halves.lanewise(VectorOperators.ASHR, 16)).mul(scales).reduceLanes(VectorOperators.ADD);
            minSum = mins.mul(IntVector.fromArray(I256, pairs1, 8 * b)).reduceLanes(VectorOperators.ADD);
            sum1 += d * xd1[b] * scaled - dmin * xd1[b] * minSum;
            halves = acc2.reinterpretAsInts();
            scaled = halves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(halves.lanewise(VectorOperators.ASHR, 16)).mul(scales).reduceLanes(VectorOperators.ADD);
            minSum = mins.mul(IntVector.fromArray(I256, pairs2, 8 * b)).reduceLanes(VectorOperators.ADD);
            sum2 += d * xd2[b] * scaled - dmin * xd2[b] * minSum;
            halves = acc3.reinterpretAsInts();
            scaled = halves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(halves.lanewise(VectorOperators.ASHR, 16)).mul(scales).reduceLanes(VectorOperators.ADD);
            minSum = mins.mul(IntVector.fromArray(I256, pairs3, 8 * b)).reduceLanes(VectorOperators.ADD);
            sum3 += d * xd3[b] * scaled - dmin * xd3[b] * minSum;
        }
        out[0] = sum0;
        out[1] = sum1;
        out[2] = sum2;
        out[3] = sum3;
    }

    /**
     * {@link #dotQ5_K} of one row against four inputs at once, into {@code out[0..4)}: each 5-bit quant is rebuilt once
     * for the four. Every result equals {@link #dotQ5_K} of that input.
     */
    static void dotQ5_KFourInputs(byte[] w, int firstBlock, int blocks, short[] x0, short[] x1, short[] x2, short[] x3,
                                  int[] pairs0, int[] pairs1, int[] pairs2, int[] pairs3, float[] xd0, float[] xd1,
                                  float[] xd2, float[] xd3, float[] out) {
        float sum0 = 0;
        float sum1 = 0;
        float sum2 = 0;
        float sum3 = 0;
        for (int b = 0, block = firstBlock; b < blocks; b++, block += Q5_KTensor.PACKED_BYTES) {
            ShortVector high = ByteVector.fromArray(B256, w, block + Q5_KTensor.PACKED_HIGH).reinterpretAsShorts();
            IntVector dots0 = IntVector.zero(I256);
            IntVector dots1 = dots0;
            IntVector dots2 = dots0;
            IntVector dots3 = dots0;
            for (int part = 0; part < 2; part++) {
                ShortVector acc0 = ShortVector.zero(S256);
                ShortVector acc1 = acc0;
                ShortVector acc2 = acc0;
                ShortVector acc3 = acc0;
                for (int t = 2 * part, xi = b * 256 + 128 * part; t < 2 * part + 2; t++, xi += 64) {
                    ShortVector q = ByteVector.fromArray(B256, w, block + Q4_KTensor.PACKED_QS + 32 * t).reinterpretAsShorts();
                    ShortVector h = high.lanewise(VectorOperators.LSHR, 4 * t);
                    ShortVector q0 = q.and((short) 0x0F).or(h.and((short) 1).lanewise(VectorOperators.LSHL, 4));
                    ShortVector q1 = q.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).or(h.lanewise(VectorOperators.LSHL, 3).and((short) 0x10));
                    ShortVector q2 = q.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and((short) 0x10));
                    ShortVector q3 = q.lanewise(VectorOperators.LSHR, 12).or(h.lanewise(VectorOperators.LSHL, 1).and((short) 0x10));
                    acc0 = acc0.add(q0.mul(ShortVector.fromArray(S256, x0, xi))).add(q1.mul(ShortVector.fromArray(S256, x0, xi + 16)))
                            .add(q2.mul(ShortVector.fromArray(S256, x0, xi + 32))).add(q3.mul(ShortVector.fromArray(S256, x0, xi + 48)));
                    acc1 = acc1.add(q0.mul(ShortVector.fromArray(S256, x1, xi))).add(q1.mul(ShortVector.fromArray(S256, x1, xi + 16)))
                            .add(q2.mul(ShortVector.fromArray(S256, x1, xi + 32))).add(q3.mul(ShortVector.fromArray(S256, x1, xi + 48)));
                    acc2 = acc2.add(q0.mul(ShortVector.fromArray(S256, x2, xi))).add(q1.mul(ShortVector.fromArray(S256, x2, xi + 16)))
                            .add(q2.mul(ShortVector.fromArray(S256, x2, xi + 32))).add(q3.mul(ShortVector.fromArray(S256, x2, xi + 48)));
                    acc3 = acc3.add(q0.mul(ShortVector.fromArray(S256, x3, xi))).add(q1.mul(ShortVector.fromArray(S256, x3, xi + 16)))
                            .add(q2.mul(ShortVector.fromArray(S256, x3, xi + 32))).add(q3.mul(ShortVector.fromArray(S256, x3, xi + 48)));
                }
                IntVector halves = acc0.reinterpretAsInts();
                dots0 = dots0.add(halves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(halves.lanewise(VectorOperators.ASHR, 16));
                halves = acc1.reinterpretAsInts();
                dots1 = dots1.add(halves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(halves.lanewise(VectorOperators.ASHR, 16));
                halves = acc2.reinterpretAsInts();
                dots2 = dots2.add(halves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(halves.lanewise(VectorOperators.ASHR, 16));
                halves = acc3.reinterpretAsInts();
                dots3 = dots3.add(halves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(halves.lanewise(VectorOperators.ASHR, 16));
            }
            IntVector scales = (IntVector) ByteVector.fromArray(B64, w, block + Q4_KTensor.PACKED_SCALES)
                    .convertShape(VectorOperators.B2I, I256, 0);
            IntVector mins = (IntVector) ByteVector.fromArray(B64, w, block + Q4_KTensor.PACKED_MINS)
                    .convertShape(VectorOperators.B2I, I256, 0);
            float d = Numbers.halfToFloat((short) SHORTS_LE.get(w, block));
            float dmin = Numbers.halfToFloat((short) SHORTS_LE.get(w, block + 2));
            sum0 += d * xd0[b] * dots0.mul(scales).reduceLanes(VectorOperators.ADD)
                    - dmin * xd0[b] * mins.mul(IntVector.fromArray(I256, pairs0, 8 * b)).reduceLanes(VectorOperators.ADD);
            sum1 += d * xd1[b] * dots1.mul(scales).reduceLanes(VectorOperators.ADD)
                    - dmin * xd1[b] * mins.mul(IntVector.fromArray(I256, pairs1, 8 * b)).reduceLanes(VectorOperators.ADD);
            sum2 += d * xd2[b] * dots2.mul(scales).reduceLanes(VectorOperators.ADD)
                    - dmin * xd2[b] * mins.mul(IntVector.fromArray(I256, pairs2, 8 * b)).reduceLanes(VectorOperators.ADD);
            sum3 += d * xd3[b] * dots3.mul(scales).reduceLanes(VectorOperators.ADD)
                    - dmin * xd3[b] * mins.mul(IntVector.fromArray(I256, pairs3, 8 * b)).reduceLanes(VectorOperators.ADD);
        }
        out[0] = sum0;
        out[1] = sum1;
        out[2] = sum2;
        out[3] = sum3;
    }

    /**
     * Q5_K x Q8_K on {@link Q5_KTensor}'s repacked super-blocks: {@link #dotQ4_K}'s words with each quant's fifth bit
     * from the extra word (bit k of lane {@code 2s + h} for element {@code 16h + k}). A 5-bit quant times an activation
     * can reach 31 * 127, so each lane sums 8 products per 16-bit accumulator (the words' first two and last two);
     * both are widened before they are added. Then as {@link #dotQ4_K}, so the result equals
     * the scalar fallback ({@link Q5_KTensor#dotScalar}) bit for bit.
     */
    static float dotQ5_K(byte[] w, int firstBlock, short[] x, float[] xd, int[] pairSums, int blocks) {
        float sum = 0;
        for (int b = 0, block = firstBlock; b < blocks; b++, block += Q5_KTensor.PACKED_BYTES) {
            ShortVector high = ByteVector.fromArray(B256, w, block + Q5_KTensor.PACKED_HIGH).reinterpretAsShorts();
            IntVector dots = IntVector.zero(I256);
            for (int part = 0; part < 2; part++) {
                ShortVector acc = ShortVector.zero(S256);
                for (int t = 2 * part, xi = b * 256 + 128 * part; t < 2 * part + 2; t++, xi += 64) {
                    ShortVector q = ByteVector.fromArray(B256, w, block + Q4_KTensor.PACKED_QS + 32 * t).reinterpretAsShorts();
                    ShortVector h = high.lanewise(VectorOperators.LSHR, 4 * t);
                    acc = acc.add(q.and((short) 0x0F).or(h.and((short) 1).lanewise(VectorOperators.LSHL, 4))
                                    .mul(ShortVector.fromArray(S256, x, xi)))
                            .add(q.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).or(h.lanewise(VectorOperators.LSHL, 3).and((short) 0x10))
                                    .mul(ShortVector.fromArray(S256, x, xi + 16)))
                            .add(q.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and((short) 0x10))
                                    .mul(ShortVector.fromArray(S256, x, xi + 32)))
                            .add(q.lanewise(VectorOperators.LSHR, 12).or(h.lanewise(VectorOperators.LSHL, 1).and((short) 0x10))
                                    .mul(ShortVector.fromArray(S256, x, xi + 48)));
                }
                IntVector halves = acc.reinterpretAsInts();
                dots = dots.add(halves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                        .add(halves.lanewise(VectorOperators.ASHR, 16));
            }
            IntVector scales = (IntVector) ByteVector.fromArray(B64, w, block + Q4_KTensor.PACKED_SCALES)
                    .convertShape(VectorOperators.B2I, I256, 0);
            IntVector mins = (IntVector) ByteVector.fromArray(B64, w, block + Q4_KTensor.PACKED_MINS)
                    .convertShape(VectorOperators.B2I, I256, 0);
            int scaled = dots.mul(scales).reduceLanes(VectorOperators.ADD);
            int minSum = mins.mul(IntVector.fromArray(I256, pairSums, 8 * b)).reduceLanes(VectorOperators.ADD);
            float d = Numbers.halfToFloat((short) SHORTS_LE.get(w, block)) * xd[b];
            float dmin = Numbers.halfToFloat((short) SHORTS_LE.get(w, block + 2)) * xd[b];
            sum += d * scaled - dmin * minSum;
        }
        return sum;
    }


    /**
     * Q6_K x Q8_K on {@link Q6_KTensor}'s repacked super-blocks (from byte {@code firstBlock}) and the input's
     * {@link MatmulInput#qKSixLanes}: lane j of every word is sub-block j. The unsigned 6-bit quants are rebuilt from a
     * low and a high word and multiplied in 16-bit lanes, half a sub-block (8 products) per sum; 16-bit sums wrap, and
     * subtracting {@link MatmulInput#qKSixCorrections} leaves the exact dot of {@code q - 32}, at most 8 * 32 * 127 in
     * magnitude. The dots are scaled by the sub-blocks' scales and summed exactly, then {@code d * xd * total} per
     * super-block, so the result equals the scalar fallback ({@link Q6_KTensor#dotScalar}) bit for bit.
     */
    static float dotQ6_K(byte[] w, int firstBlock, short[] x, short[] corrections, float[] xd, int blocks) {
        float sum = 0;
        for (int b = 0, block = firstBlock; b < blocks; b++, block += Q6_KTensor.BLOCK_BYTES) {
            IntVector even = (IntVector) ByteVector.fromArray(B64, w, block + Q6_KTensor.PACKED_EVEN_SCALES)
                    .convertShape(VectorOperators.B2I, I256, 0);
            IntVector odd = (IntVector) ByteVector.fromArray(B64, w, block + Q6_KTensor.PACKED_ODD_SCALES)
                    .convertShape(VectorOperators.B2I, I256, 0);
            IntVector total = IntVector.zero(I256);
            for (int half = 0; half < 2; half++) {
                ShortVector high = ByteVector.fromArray(B256, w, block + Q6_KTensor.PACKED_HIGH + 32 * half).reinterpretAsShorts();
                ShortVector acc = ShortVector.zero(S256);
                for (int t = 0; t < 2; t++) {
                    ShortVector low = ByteVector.fromArray(B256, w, block + Q6_KTensor.PACKED_LOW + 64 * half + 32 * t).reinterpretAsShorts();
                    ShortVector hi = high.lanewise(VectorOperators.LSHR, 8 * t);
                    int xi = b * 256 + 128 * half + 64 * t;
                    acc = acc.add(low.and((short) 0x0F).or(hi.and((short) 3).lanewise(VectorOperators.LSHL, 4))
                                    .mul(ShortVector.fromArray(S256, x, xi)))
                            .add(low.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).or(hi.lanewise(VectorOperators.LSHL, 2).and((short) 0x30))
                                    .mul(ShortVector.fromArray(S256, x, xi + 16)))
                            .add(low.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F).or(hi.and((short) 0x30))
                                    .mul(ShortVector.fromArray(S256, x, xi + 32)))
                            .add(low.lanewise(VectorOperators.LSHR, 12).or(hi.lanewise(VectorOperators.LSHR, 2).and((short) 0x30))
                                    .mul(ShortVector.fromArray(S256, x, xi + 48)));
                }
                IntVector dots = acc.sub(ShortVector.fromArray(S256, corrections, 32 * b + 16 * half)).reinterpretAsInts();
                total = total.add(dots.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).mul(even))
                        .add(dots.lanewise(VectorOperators.ASHR, 16).mul(odd));
            }
            sum += Numbers.halfToFloat((short) SHORTS_LE.get(w, block + Q6_KTensor.PACKED_D)) * xd[b] * total.reduceLanes(VectorOperators.ADD);
        }
        return sum;
    }

    /**
     * {@link #dotQ6_K} of one row against four inputs at once (their {@link MatmulInput#qKSixLanes},
     * {@link MatmulInput#qKSixCorrections} and scales), into {@code out[0..4)}: each quant is rebuilt once for the four.
     * Every result equals {@link #dotQ6_K} of that input.
     */
    static void dotQ6_KFourInputs(byte[] w, int firstBlock, int blocks, short[] x0, short[] x1, short[] x2, short[] x3,
                                  short[] c0, short[] c1, short[] c2, short[] c3, float[] xd0, float[] xd1, float[] xd2,
                                  float[] xd3, float[] out) {
        float sum0 = 0;
        float sum1 = 0;
        float sum2 = 0;
        float sum3 = 0;
        for (int b = 0, block = firstBlock; b < blocks; b++, block += Q6_KTensor.BLOCK_BYTES) {
            IntVector even = (IntVector) ByteVector.fromArray(B64, w, block + Q6_KTensor.PACKED_EVEN_SCALES)
                    .convertShape(VectorOperators.B2I, I256, 0);
            IntVector odd = (IntVector) ByteVector.fromArray(B64, w, block + Q6_KTensor.PACKED_ODD_SCALES)
                    .convertShape(VectorOperators.B2I, I256, 0);
            IntVector total0 = IntVector.zero(I256);
            IntVector total1 = total0;
            IntVector total2 = total0;
            IntVector total3 = total0;
            for (int half = 0; half < 2; half++) {
                ShortVector high = ByteVector.fromArray(B256, w, block + Q6_KTensor.PACKED_HIGH + 32 * half).reinterpretAsShorts();
                ShortVector acc0 = ShortVector.zero(S256);
                ShortVector acc1 = acc0;
                ShortVector acc2 = acc0;
                ShortVector acc3 = acc0;
                for (int t = 0; t < 2; t++) {
                    ShortVector low = ByteVector.fromArray(B256, w, block + Q6_KTensor.PACKED_LOW + 64 * half + 32 * t).reinterpretAsShorts();
                    ShortVector hi = high.lanewise(VectorOperators.LSHR, 8 * t);
                    ShortVector q0 = low.and((short) 0x0F).or(hi.and((short) 3).lanewise(VectorOperators.LSHL, 4));
                    ShortVector q1 = low.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).or(hi.lanewise(VectorOperators.LSHL, 2).and((short) 0x30));
                    ShortVector q2 = low.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F).or(hi.and((short) 0x30));
                    ShortVector q3 = low.lanewise(VectorOperators.LSHR, 12).or(hi.lanewise(VectorOperators.LSHR, 2).and((short) 0x30));
                    int xi = b * 256 + 128 * half + 64 * t;
                    acc0 = acc0.add(q0.mul(ShortVector.fromArray(S256, x0, xi))).add(q1.mul(ShortVector.fromArray(S256, x0, xi + 16)))
                            .add(q2.mul(ShortVector.fromArray(S256, x0, xi + 32))).add(q3.mul(ShortVector.fromArray(S256, x0, xi + 48)));
                    acc1 = acc1.add(q0.mul(ShortVector.fromArray(S256, x1, xi))).add(q1.mul(ShortVector.fromArray(S256, x1, xi + 16)))
                            .add(q2.mul(ShortVector.fromArray(S256, x1, xi + 32))).add(q3.mul(ShortVector.fromArray(S256, x1, xi + 48)));
                    acc2 = acc2.add(q0.mul(ShortVector.fromArray(S256, x2, xi))).add(q1.mul(ShortVector.fromArray(S256, x2, xi + 16)))
                            .add(q2.mul(ShortVector.fromArray(S256, x2, xi + 32))).add(q3.mul(ShortVector.fromArray(S256, x2, xi + 48)));
                    acc3 = acc3.add(q0.mul(ShortVector.fromArray(S256, x3, xi))).add(q1.mul(ShortVector.fromArray(S256, x3, xi + 16)))
                            .add(q2.mul(ShortVector.fromArray(S256, x3, xi + 32))).add(q3.mul(ShortVector.fromArray(S256, x3, xi + 48)));
                }
                int ci = 32 * b + 16 * half;
                IntVector dots = acc0.sub(ShortVector.fromArray(S256, c0, ci)).reinterpretAsInts();
                total0 = total0.add(dots.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).mul(even))
                        .add(dots.lanewise(VectorOperators.ASHR, 16).mul(odd));
                dots = acc1.sub(ShortVector.fromArray(S256, c1, ci)).reinterpretAsInts();
                total1 = total1.add(dots.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).mul(even))
                        .add(dots.lanewise(VectorOperators.ASHR, 16).mul(odd));
                dots = acc2.sub(ShortVector.fromArray(S256, c2, ci)).reinterpretAsInts();
                total2 = total2.add(dots.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).mul(even))
                        .add(dots.lanewise(VectorOperators.ASHR, 16).mul(odd));
                dots = acc3.sub(ShortVector.fromArray(S256, c3, ci)).reinterpretAsInts();
                total3 = total3.add(dots.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).mul(even))
                        .add(dots.lanewise(VectorOperators.ASHR, 16).mul(odd));
            }
            float d = Numbers.halfToFloat((short) SHORTS_LE.get(w, block + Q6_KTensor.PACKED_D));
            sum0 += d * xd0[b] * total0.reduceLanes(VectorOperators.ADD);
            sum1 += d * xd1[b] * total1.reduceLanes(VectorOperators.ADD);
            sum2 += d * xd2[b] * total2.reduceLanes(VectorOperators.ADD);
            sum3 += d * xd3[b] * total3.reduceLanes(VectorOperators.ADD);
        }
        out[0] = sum0;
        out[1] = sum1;
        out[2] = sum2;
        out[3] = sum3;
    }

    /**
     * {@code e^x} in 8 lanes with exactly the operations of {@link ArrayMath#exp(float)}, so both give the same bits
     * (and the interpreted and compiled forms agree, which a Vector API {@code EXP} does not promise).
     */
    static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(ArrayMath.EXP_LOWEST).min(ArrayMath.EXP_HIGHEST);
        FloatVector shifted = clamped.fma(ArrayMath.LOG2_E, ArrayMath.ROUNDING_SHIFT);
        FloatVector n = shifted.sub(ArrayMath.ROUNDING_SHIFT);
        FloatVector r = n.fma(FloatVector.broadcast(F256, -ArrayMath.LN2_HIGH), clamped);
        r = n.fma(FloatVector.broadcast(F256, -ArrayMath.LN2_LOW), r);
        FloatVector p = r.fma(ArrayMath.EXP_P0, ArrayMath.EXP_P1);
        p = p.fma(r, FloatVector.broadcast(F256, ArrayMath.EXP_P2));
        p = p.fma(r, FloatVector.broadcast(F256, ArrayMath.EXP_P3));
        p = p.fma(r, FloatVector.broadcast(F256, ArrayMath.EXP_P4));
        p = p.fma(r, FloatVector.broadcast(F256, ArrayMath.EXP_P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        FloatVector twoToN = ((IntVector) shifted.reinterpretAsInts())
                .add(127 - ArrayMath.ROUNDING_SHIFT_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(twoToN);
    }

    /** {@code gate[i] = silu(gate[i]) * up[i]} for the whole vectors of {@code [0, n)}; returns where the tail starts. */
    static int swiglu(float[] gate, float[] up, int n) {
        int step = F256.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            FloatVector g = FloatVector.fromArray(F256, gate, i);
            FloatVector denominator = exp(g.neg()).add(1f);
            g.div(denominator).mul(FloatVector.fromArray(F256, up, i)).intoArray(gate, i);
        }
        return i;
    }

    /** The largest of {@code x[offset, offset+n)} ({@code n >= 8}). */
    static float max(float[] x, int offset, int n) {
        int step = F256.length();
        FloatVector max = FloatVector.fromArray(F256, x, offset);
        int i = step;
        for (; i + step <= n; i += step) {
            max = max.max(FloatVector.fromArray(F256, x, offset + i));
        }
        float result = max.reduceLanes(VectorOperators.MAX); // exact in any order
        for (; i < n; i++) {
            result = Math.max(result, x[offset + i]);
        }
        return result;
    }

    /** {@code x[i] = e^(x[i] - shift)} over the whole vectors of {@code [offset, offset+n)}; their sum in lane order. */
    static float expShifted(float[] x, int offset, int n, float shift) {
        int step = F256.length();
        FloatVector sums = FloatVector.zero(F256);
        for (int i = 0; i + step <= n; i += step) {
            FloatVector e = exp(FloatVector.fromArray(F256, x, offset + i).sub(shift));
            e.intoArray(x, offset + i);
            sums = sums.add(e);
        }
        return sum(sums);
    }

    static void scale(float[] x, int offset, int n, float factor) {
        int step = F256.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            FloatVector.fromArray(F256, x, offset + i).mul(factor).intoArray(x, offset + i);
        }
        for (; i < n; i++) {
            x[offset + i] *= factor;
        }
    }

    /** Sum of squares of {@code x[0, n)} in double, 4 lanes then added in a fixed order. */
    static double sumOfSquares(float[] x, int n) {
        int step = F256.length();
        DoubleVector low = DoubleVector.zero(D256);
        DoubleVector high = DoubleVector.zero(D256);
        int i = 0;
        for (; i + step <= n; i += step) {
            FloatVector v = FloatVector.fromArray(F256, x, i);
            DoubleVector a = (DoubleVector) v.convertShape(VectorOperators.F2D, D256, 0);
            DoubleVector b = (DoubleVector) v.convertShape(VectorOperators.F2D, D256, 1);
            low = a.fma(a, low);
            high = b.fma(b, high);
        }
        DoubleVector both = low.add(high);
        double sum = (both.lane(0) + both.lane(2)) + (both.lane(1) + both.lane(3));
        for (; i < n; i++) {
            sum += (double) x[i] * x[i];
        }
        return sum;
    }

    /** {@code out[i] = weight[i] * (scale * x[i])} over the whole vectors of {@code [0, n)}; returns where the tail starts. */
    static int scaleByWeight(float[] out, float[] x, float[] weight, float scale, int n) {
        int step = F256.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            FloatVector.fromArray(F256, weight, i).mul(FloatVector.fromArray(F256, x, i).mul(scale)).intoArray(out, i);
        }
        return i;
    }

    /**
     * RoPE over the pairs of {@code v[offset, offset+n)}: {@code (a, b) -> (a cos - b sin, a sin + b cos)} with
     * {@code cosines = (c0, c0, c1, c1, ...)} and {@code signedSines = (-s0, s0, -s1, s1, ...)}, the same products and
     * sums as the scalar form. {@code n} is a multiple of 8 and of the tables' length.
     */
    static void rotatePairs(float[] v, int offset, int n, float[] cosines, float[] signedSines) {
        int step = F256.length();
        int period = cosines.length;
        for (int i = 0; i < n; i += step) {
            int t = i % period;
            FloatVector x = FloatVector.fromArray(F256, v, offset + i);
            x.mul(FloatVector.fromArray(F256, cosines, t))
                    .add(x.rearrange(SWAP_PAIRS).mul(FloatVector.fromArray(F256, signedSines, t)))
                    .intoArray(v, offset + i);
        }
    }

    /**
     * {@code out[outOffset, +32) = sum over t < n of weights[t] * values[offsets[t] + kvOffset, +32)}, accumulated in
     * registers in the order of repeated {@link #addScaled} calls from zero (one fma per element and position).
     */
    /**
     * {@code scores[scoresAt + t] = dot(q[qOffset, +headSize), keys[offsets[t] + kvOffset, +headSize)) * scale} for
     * {@code from <= t < to}, {@code headSize} a multiple of 16. Each dot is {@link #dot}'s arithmetic (even 8-lane
     * chunks into one accumulator, odd ones into another, then {@link #sum}'s order), four positions at a time: one
     * position's chain of dependent {@code fma}s and its lane sum left the core idle.
     */
    static void attentionScores(float[] q, int qOffset, float[] keys, int[] offsets, int from, int to, int kvOffset,
                                int headSize, float scale, float[] scores, int scoresAt) {
        float[] lanes = LANE_SUMS.get();
        int t = from;
        for (; t + 4 <= to; t += 4) {
            int k0 = offsets[t] + kvOffset;
            int k1 = offsets[t + 1] + kvOffset;
            int k2 = offsets[t + 2] + kvOffset;
            int k3 = offsets[t + 3] + kvOffset;
            FloatVector even0 = FloatVector.zero(F256);
            FloatVector odd0 = even0;
            FloatVector even1 = even0;
            FloatVector odd1 = even0;
            FloatVector even2 = even0;
            FloatVector odd2 = even0;
            FloatVector even3 = even0;
            FloatVector odd3 = even0;
            for (int i = 0; i < headSize; i += 16) {
                FloatVector qEven = FloatVector.fromArray(F256, q, qOffset + i);
                FloatVector qOdd = FloatVector.fromArray(F256, q, qOffset + i + 8);
                even0 = qEven.fma(FloatVector.fromArray(F256, keys, k0 + i), even0);
                odd0 = qOdd.fma(FloatVector.fromArray(F256, keys, k0 + i + 8), odd0);
                even1 = qEven.fma(FloatVector.fromArray(F256, keys, k1 + i), even1);
                odd1 = qOdd.fma(FloatVector.fromArray(F256, keys, k1 + i + 8), odd1);
                even2 = qEven.fma(FloatVector.fromArray(F256, keys, k2 + i), even2);
                odd2 = qOdd.fma(FloatVector.fromArray(F256, keys, k2 + i + 8), odd2);
                even3 = qEven.fma(FloatVector.fromArray(F256, keys, k3 + i), even3);
                odd3 = qOdd.fma(FloatVector.fromArray(F256, keys, k3 + i + 8), odd3);
            }
            // The four lane sums in sum8's order, side by side: lanes i and i + 4 (positions 0 and 1 in one vector, 2 and 3
            // in another), then i and i + 2 (all four positions in one vector), then 0 and 1. Summed one position at a
            // time through memory, the scalar adds took a fifth of long-context decoding.
            FloatVector s0 = even0.add(odd0);
            FloatVector s1 = even1.add(odd1);
            FloatVector s2 = even2.add(odd2);
            FloatVector s3 = even3.add(odd3);
            FloatVector a01 = s0.blend(s1.rearrange(ROTATE_FOUR), HIGH_HALF).add(s0.rearrange(ROTATE_FOUR).blend(s1, HIGH_HALF));
            FloatVector a23 = s2.blend(s3.rearrange(ROTATE_FOUR), HIGH_HALF).add(s2.rearrange(ROTATE_FOUR).blend(s3, HIGH_HALF));
            FloatVector b = a01.blend(a23.rearrange(ROTATE_TWO), UPPER_PAIRS).add(a01.rearrange(ROTATE_TWO).blend(a23, UPPER_PAIRS));
            // lane 0: position 0, lane 4: position 1, lane 2: position 2, lane 6: position 3
            b.add(b.rearrange(SWAP_PAIRS)).mul(scale).intoArray(lanes, 0);
            scores[scoresAt + t] = lanes[0];
            scores[scoresAt + t + 1] = lanes[4];
            scores[scoresAt + t + 2] = lanes[2];
            scores[scoresAt + t + 3] = lanes[6];
        }
        for (; t < to; t++) {
            scores[scoresAt + t] = dot(q, qOffset, keys, offsets[t] + kvOffset, headSize) * scale;
        }
    }

    /**
     * Whether the CPU has 32 vector registers (AVX-512), which the two-head attention kernels below need: 16 sums or
     * accumulators, the loaded keys or values, and the queries or weights. With 16 they would spill.
     */
    static final boolean TWO_HEADS = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;

    /**
     * {@link #attentionScores} for two query heads at once ({@code qOffset} and {@code qOffset + headSize}, scores at
     * {@code scoresAtA} and {@code scoresAtB}) that share the keys: each key load feeds both heads. One key load per
     * fma bounded the one-head kernel (Zen 4 sustains fewer 256-bit loads than fmas per cycle); here three loads feed
     * four fmas. Each score has exactly the one-head arithmetic.
     */
    static void attentionScoresTwoHeads(float[] q, int qOffset, float[] keys, int[] offsets, int from, int to, int kvOffset,
                                        int headSize, float scale, float[] scores, int scoresAtA, int scoresAtB) {
        float[] lanes = LANE_SUMS.get();
        int qOffsetB = qOffset + headSize;
        int t = from;
        for (; t + 4 <= to; t += 4) {
            int k0 = offsets[t] + kvOffset;
            int k1 = offsets[t + 1] + kvOffset;
            int k2 = offsets[t + 2] + kvOffset;
            int k3 = offsets[t + 3] + kvOffset;
            FloatVector evenA0 = FloatVector.zero(F256);
            FloatVector oddA0 = evenA0;
            FloatVector evenA1 = evenA0;
            FloatVector oddA1 = evenA0;
            FloatVector evenA2 = evenA0;
            FloatVector oddA2 = evenA0;
            FloatVector evenA3 = evenA0;
            FloatVector oddA3 = evenA0;
            FloatVector evenB0 = evenA0;
            FloatVector oddB0 = evenA0;
            FloatVector evenB1 = evenA0;
            FloatVector oddB1 = evenA0;
            FloatVector evenB2 = evenA0;
            FloatVector oddB2 = evenA0;
            FloatVector evenB3 = evenA0;
            FloatVector oddB3 = evenA0;
            for (int i = 0; i < headSize; i += 16) {
                FloatVector qEvenA = FloatVector.fromArray(F256, q, qOffset + i);
                FloatVector qOddA = FloatVector.fromArray(F256, q, qOffset + i + 8);
                FloatVector qEvenB = FloatVector.fromArray(F256, q, qOffsetB + i);
                FloatVector qOddB = FloatVector.fromArray(F256, q, qOffsetB + i + 8);
                FloatVector k = FloatVector.fromArray(F256, keys, k0 + i);
                evenA0 = qEvenA.fma(k, evenA0);
                evenB0 = qEvenB.fma(k, evenB0);
                k = FloatVector.fromArray(F256, keys, k0 + i + 8);
                oddA0 = qOddA.fma(k, oddA0);
                oddB0 = qOddB.fma(k, oddB0);
                k = FloatVector.fromArray(F256, keys, k1 + i);
                evenA1 = qEvenA.fma(k, evenA1);
                evenB1 = qEvenB.fma(k, evenB1);
                k = FloatVector.fromArray(F256, keys, k1 + i + 8);
                oddA1 = qOddA.fma(k, oddA1);
                oddB1 = qOddB.fma(k, oddB1);
                k = FloatVector.fromArray(F256, keys, k2 + i);
                evenA2 = qEvenA.fma(k, evenA2);
                evenB2 = qEvenB.fma(k, evenB2);
                k = FloatVector.fromArray(F256, keys, k2 + i + 8);
                oddA2 = qOddA.fma(k, oddA2);
                oddB2 = qOddB.fma(k, oddB2);
                k = FloatVector.fromArray(F256, keys, k3 + i);
                evenA3 = qEvenA.fma(k, evenA3);
                evenB3 = qEvenB.fma(k, evenB3);
                k = FloatVector.fromArray(F256, keys, k3 + i + 8);
                oddA3 = qOddA.fma(k, oddA3);
                oddB3 = qOddB.fma(k, oddB3);
            }
            // each head's four lane sums in sum8's order, as in attentionScores (written out twice: a helper taking
            // vectors would box them where C2 does not inline it)
            FloatVector s0 = evenA0.add(oddA0);
            FloatVector s1 = evenA1.add(oddA1);
            FloatVector s2 = evenA2.add(oddA2);
            FloatVector s3 = evenA3.add(oddA3);
            FloatVector a01 = s0.blend(s1.rearrange(ROTATE_FOUR), HIGH_HALF).add(s0.rearrange(ROTATE_FOUR).blend(s1, HIGH_HALF));
            FloatVector a23 = s2.blend(s3.rearrange(ROTATE_FOUR), HIGH_HALF).add(s2.rearrange(ROTATE_FOUR).blend(s3, HIGH_HALF));
            FloatVector b = a01.blend(a23.rearrange(ROTATE_TWO), UPPER_PAIRS).add(a01.rearrange(ROTATE_TWO).blend(a23, UPPER_PAIRS));
            b.add(b.rearrange(SWAP_PAIRS)).mul(scale).intoArray(lanes, 0);
            scores[scoresAtA + t] = lanes[0];
            scores[scoresAtA + t + 1] = lanes[4];
            scores[scoresAtA + t + 2] = lanes[2];
            scores[scoresAtA + t + 3] = lanes[6];
            s0 = evenB0.add(oddB0);
            s1 = evenB1.add(oddB1);
            s2 = evenB2.add(oddB2);
            s3 = evenB3.add(oddB3);
            a01 = s0.blend(s1.rearrange(ROTATE_FOUR), HIGH_HALF).add(s0.rearrange(ROTATE_FOUR).blend(s1, HIGH_HALF));
            a23 = s2.blend(s3.rearrange(ROTATE_FOUR), HIGH_HALF).add(s2.rearrange(ROTATE_FOUR).blend(s3, HIGH_HALF));
            b = a01.blend(a23.rearrange(ROTATE_TWO), UPPER_PAIRS).add(a01.rearrange(ROTATE_TWO).blend(a23, UPPER_PAIRS));
            b.add(b.rearrange(SWAP_PAIRS)).mul(scale).intoArray(lanes, 0);
            scores[scoresAtB + t] = lanes[0];
            scores[scoresAtB + t + 1] = lanes[4];
            scores[scoresAtB + t + 2] = lanes[2];
            scores[scoresAtB + t + 3] = lanes[6];
        }
        for (; t < to; t++) {
            scores[scoresAtA + t] = dot(q, qOffset, keys, offsets[t] + kvOffset, headSize) * scale;
            scores[scoresAtB + t] = dot(q, qOffsetB, keys, offsets[t] + kvOffset, headSize) * scale;
        }
    }

    /**
     * {@link #weightedSum64} for two query heads at once (outputs at {@code outA} and {@code outB}, weights at
     * {@code weightsAtA} and {@code weightsAtB}) that share the values: each value load feeds both heads' fmas. Each
     * column's sum runs over the positions in order, as in the one-head kernel.
     */
    static void weightedSum64TwoHeads(float[] out, int outA, int outB, float[] weights, int weightsAtA, int weightsAtB,
                                      float[] values, int[] offsets, int from, int to, int kvOffset, boolean fresh) {
        FloatVector a0 = FloatVector.zero(F256);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector a5 = a0;
        FloatVector a6 = a0;
        FloatVector a7 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        FloatVector b4 = a0;
        FloatVector b5 = a0;
        FloatVector b6 = a0;
        FloatVector b7 = a0;
        if (!fresh) {
            a0 = FloatVector.fromArray(F256, out, outA);
            a1 = FloatVector.fromArray(F256, out, outA + 8);
            a2 = FloatVector.fromArray(F256, out, outA + 16);
            a3 = FloatVector.fromArray(F256, out, outA + 24);
            a4 = FloatVector.fromArray(F256, out, outA + 32);
            a5 = FloatVector.fromArray(F256, out, outA + 40);
            a6 = FloatVector.fromArray(F256, out, outA + 48);
            a7 = FloatVector.fromArray(F256, out, outA + 56);
            b0 = FloatVector.fromArray(F256, out, outB);
            b1 = FloatVector.fromArray(F256, out, outB + 8);
            b2 = FloatVector.fromArray(F256, out, outB + 16);
            b3 = FloatVector.fromArray(F256, out, outB + 24);
            b4 = FloatVector.fromArray(F256, out, outB + 32);
            b5 = FloatVector.fromArray(F256, out, outB + 40);
            b6 = FloatVector.fromArray(F256, out, outB + 48);
            b7 = FloatVector.fromArray(F256, out, outB + 56);
        }
        for (int t = from; t < to; t++) {
            FloatVector wa = FloatVector.broadcast(F256, weights[weightsAtA + t]);
            FloatVector wb = FloatVector.broadcast(F256, weights[weightsAtB + t]);
            int at = offsets[t] + kvOffset;
            FloatVector v = FloatVector.fromArray(F256, values, at);
            a0 = v.fma(wa, a0);
            b0 = v.fma(wb, b0);
            v = FloatVector.fromArray(F256, values, at + 8);
            a1 = v.fma(wa, a1);
            b1 = v.fma(wb, b1);
            v = FloatVector.fromArray(F256, values, at + 16);
            a2 = v.fma(wa, a2);
            b2 = v.fma(wb, b2);
            v = FloatVector.fromArray(F256, values, at + 24);
            a3 = v.fma(wa, a3);
            b3 = v.fma(wb, b3);
            v = FloatVector.fromArray(F256, values, at + 32);
            a4 = v.fma(wa, a4);
            b4 = v.fma(wb, b4);
            v = FloatVector.fromArray(F256, values, at + 40);
            a5 = v.fma(wa, a5);
            b5 = v.fma(wb, b5);
            v = FloatVector.fromArray(F256, values, at + 48);
            a6 = v.fma(wa, a6);
            b6 = v.fma(wb, b6);
            v = FloatVector.fromArray(F256, values, at + 56);
            a7 = v.fma(wa, a7);
            b7 = v.fma(wb, b7);
        }
        a0.intoArray(out, outA);
        a1.intoArray(out, outA + 8);
        a2.intoArray(out, outA + 16);
        a3.intoArray(out, outA + 24);
        a4.intoArray(out, outA + 32);
        a5.intoArray(out, outA + 40);
        a6.intoArray(out, outA + 48);
        a7.intoArray(out, outA + 56);
        b0.intoArray(out, outB);
        b1.intoArray(out, outB + 8);
        b2.intoArray(out, outB + 16);
        b3.intoArray(out, outB + 24);
        b4.intoArray(out, outB + 32);
        b5.intoArray(out, outB + 40);
        b6.intoArray(out, outB + 48);
        b7.intoArray(out, outB + 56);
    }

    /**
     * {@code out[outOffset, +64) += sum over from <= t < to of weights[weightsAt + t] * values[offsets[t] + kvOffset, +64)},
     * starting from zeros when {@code fresh}: 8 independent {@code fma} chains (4 left the core waiting on each chain's
     * latency). Each column's sum runs over the positions in order, so splitting the positions into ranges does not
     * change it.
     */
    static void weightedSum64(float[] out, int outOffset, float[] weights, int weightsAt, float[] values, int[] offsets,
                              int from, int to, int kvOffset, boolean fresh) {
        FloatVector acc0 = FloatVector.zero(F256);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        FloatVector acc4 = acc0;
        FloatVector acc5 = acc0;
        FloatVector acc6 = acc0;
        FloatVector acc7 = acc0;
        if (!fresh) {
            acc0 = FloatVector.fromArray(F256, out, outOffset);
            acc1 = FloatVector.fromArray(F256, out, outOffset + 8);
            acc2 = FloatVector.fromArray(F256, out, outOffset + 16);
            acc3 = FloatVector.fromArray(F256, out, outOffset + 24);
            acc4 = FloatVector.fromArray(F256, out, outOffset + 32);
            acc5 = FloatVector.fromArray(F256, out, outOffset + 40);
            acc6 = FloatVector.fromArray(F256, out, outOffset + 48);
            acc7 = FloatVector.fromArray(F256, out, outOffset + 56);
        }
        for (int t = from; t < to; t++) {
            FloatVector w = FloatVector.broadcast(F256, weights[weightsAt + t]);
            int at = offsets[t] + kvOffset;
            acc0 = FloatVector.fromArray(F256, values, at).fma(w, acc0);
            acc1 = FloatVector.fromArray(F256, values, at + 8).fma(w, acc1);
            acc2 = FloatVector.fromArray(F256, values, at + 16).fma(w, acc2);
            acc3 = FloatVector.fromArray(F256, values, at + 24).fma(w, acc3);
            acc4 = FloatVector.fromArray(F256, values, at + 32).fma(w, acc4);
            acc5 = FloatVector.fromArray(F256, values, at + 40).fma(w, acc5);
            acc6 = FloatVector.fromArray(F256, values, at + 48).fma(w, acc6);
            acc7 = FloatVector.fromArray(F256, values, at + 56).fma(w, acc7);
        }
        acc0.intoArray(out, outOffset);
        acc1.intoArray(out, outOffset + 8);
        acc2.intoArray(out, outOffset + 16);
        acc3.intoArray(out, outOffset + 24);
        acc4.intoArray(out, outOffset + 32);
        acc5.intoArray(out, outOffset + 40);
        acc6.intoArray(out, outOffset + 48);
        acc7.intoArray(out, outOffset + 56);
    }

    static void weightedSum32(float[] out, int outOffset, float[] weights, int weightsAt, float[] values, int[] offsets, int kvOffset,
                              int n) {
        FloatVector acc0 = FloatVector.zero(F256);
        FloatVector acc1 = FloatVector.zero(F256);
        FloatVector acc2 = FloatVector.zero(F256);
        FloatVector acc3 = FloatVector.zero(F256);
        for (int t = 0; t < n; t++) {
            FloatVector w = FloatVector.broadcast(F256, weights[weightsAt + t]);
            int at = offsets[t] + kvOffset;
            acc0 = FloatVector.fromArray(F256, values, at).fma(w, acc0);
            acc1 = FloatVector.fromArray(F256, values, at + 8).fma(w, acc1);
            acc2 = FloatVector.fromArray(F256, values, at + 16).fma(w, acc2);
            acc3 = FloatVector.fromArray(F256, values, at + 24).fma(w, acc3);
        }
        acc0.intoArray(out, outOffset);
        acc1.intoArray(out, outOffset + 8);
        acc2.intoArray(out, outOffset + 16);
        acc3.intoArray(out, outOffset + 24);
    }
}
