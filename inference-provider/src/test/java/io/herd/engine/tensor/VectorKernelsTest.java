package io.herd.engine.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The Vector API kernels against their scalar twins, including lengths that leave a scalar tail. */
class VectorKernelsTest {

    private final Random random = new Random(7);

    private MemorySegment randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return MemorySegment.ofArray(b);
    }

    private MemorySegment blocks(int blocks, int blockBytes) {
        ByteBuffer b = ByteBuffer.allocate(blocks * blockBytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < blocks; i++) {
            b.putShort(Float.floatToFloat16((float) random.nextGaussian() * 0.01f));
            byte[] q = new byte[blockBytes - 2];
            random.nextBytes(q);
            b.put(q);
        }
        return MemorySegment.ofArray(b.array());
    }

    @Test
    void f32AndBf16() {
        for (int n : new int[] {1, 7, 8, 31, 32, 33, 100, 512}) {
            float[] w = new float[n];
            float[] x = new float[n + 3];
            for (int i = 0; i < n; i++) {
                w[i] = (float) random.nextGaussian();
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            MemorySegment ws = MemorySegment.ofArray(w);
            assertThat(VectorKernels.dotF32(ws, 0, x, 3, n)).isCloseTo(ScalarKernels.dotF32(ws, 0, x, 3, n), within(1e-4f));
            MemorySegment bf = randomBytes(2 * n);
            // avoid NaN/huge bfloat16 patterns: clear exponent top bits
            for (int i = 0; i < n; i++) {
                bf.set(Numbers.BYTE, 2L * i + 1, (byte) (bf.get(Numbers.BYTE, 2L * i + 1) & 0xBF));
            }
            assertThat(VectorKernels.dotBF16(bf, 0, x, 3, n)).isCloseTo(ScalarKernels.dotBF16(bf, 0, x, 3, n),
                    within(1e-4f * (1 + Math.abs(ScalarKernels.dotBF16(bf, 0, x, 3, n)))));
        }
    }

    /** Every finite half precision value converts exactly (one weight of 16 against a one-hot input). */
    @Test
    void f16WeightsConvertExactly() {
        MemorySegment w = MemorySegment.ofArray(new short[16]);
        float[] x = new float[16];
        x[5] = 1f;
        int wrong = 0;
        for (int h = 0; h < 0x10000; h++) {
            if ((h & 0x7C00) == 0x7C00) {
                continue; // infinities and NaNs: below
            }
            for (int i = 0; i < 16; i++) {
                w.set(Numbers.SHORT_LE, 2L * i, (short) h);
            }
            float expected = Float.float16ToFloat((short) h);
            if (VectorKernels.dotF16(w, 0, x, 0, 16) != expected) {
                wrong++;
            }
        }
        assertThat(wrong).as("finite halves converted wrongly").isZero();
        // each special value alone in one lane of either vector, zeros elsewhere
        java.util.Arrays.fill(x, 1f);
        for (short special : new short[] {(short) 0x7C00, (short) 0xFC00, (short) 0x7E00, (short) 0x7C01}) {
            for (int lane = 0; lane < 16; lane++) {
                for (int i = 0; i < 16; i++) {
                    w.set(Numbers.SHORT_LE, 2L * i, i == lane ? special : 0);
                }
                float expected = Float.float16ToFloat(special);
                float actual = VectorKernels.dotF16(w, 0, x, 0, 16);
                if (Float.isNaN(expected)) {
                    assertThat(actual).as("half %04x in lane %d", special, lane).isNaN();
                } else {
                    assertThat(actual).as("half %04x in lane %d", special, lane).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void f16DotMatchesScalar() {
        for (int n : new int[] {1, 7, 15, 16, 17, 33, 100, 512}) {
            MemorySegment w = MemorySegment.ofArray(new short[n]);
            float[] x = new float[n + 3];
            for (int i = 0; i < n; i++) {
                w.set(Numbers.SHORT_LE, 2L * i, Float.floatToFloat16((float) random.nextGaussian()));
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float scalar = ScalarKernels.dotF16(w, 0, x, 3, n);
            assertThat(VectorKernels.dotF16(w, 0, x, 3, n)).as("n = %d", n).isCloseTo(scalar, within(1e-4f * (1 + Math.abs(scalar))));
        }
    }

    /**
     * Q8_0 in groups of 8 blocks with extreme quants and a zero and a subnormal scale, against ggml's dot: whole rows,
     * a row starting at the second group, rows padded to whole groups, a range that is not whole groups (scalar path),
     * and the dequantized values.
     */
    /**
     * The two-head attention kernels against the one-head ones, called directly: {@link ArrayMath} only takes them where
     * the CPU has 32 vector registers, and CI machines may not. Scattered positions (a paged cache), tiles with a
     * scalar tail, and a running sum continued from an earlier tile.
     */
    @Test
    void twoHeadAttentionKernelsEqualTheOneHeadOnes() {
        for (int headSize : new int[] {16, 64, 128}) {
            for (int n : new int[] {1, 4, 7, 33}) {
                float[] keys = new float[(n + 3) * 2 * headSize];
                float[] values = new float[keys.length];
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = (float) random.nextGaussian();
                    values[i] = (float) random.nextGaussian();
                }
                int[] offsets = new int[n];
                for (int t = 0; t < n; t++) {
                    offsets[t] = ((t * 7) % (n + 3)) * 2 * headSize;
                }
                float[] q = new float[5 + 2 * headSize];
                for (int i = 0; i < q.length; i++) {
                    q[i] = (float) random.nextGaussian();
                }
                float[] both = new float[2 * n + 3];
                VectorKernels.attentionScoresTwoHeads(q, 5, keys, offsets, 0, n, headSize, headSize, 0.125f, both, 3, 3 + n);
                float[] alone = new float[2 * n + 3];
                VectorKernels.attentionScores(q, 5, keys, offsets, 0, n, headSize, headSize, 0.125f, alone, 3);
                VectorKernels.attentionScores(q, 5 + headSize, keys, offsets, 0, n, headSize, headSize, 0.125f, alone, 3 + n);
                assertThat(both).containsExactly(alone);

                if (headSize % 64 != 0) {
                    continue;
                }
                float[] weights = new float[2 * n];
                for (int i = 0; i < weights.length; i++) {
                    weights[i] = random.nextFloat();
                }
                int split = n / 2;
                for (int c = 0; c < headSize; c += 64) {
                    float[] pair = new float[2 + 2 * headSize];
                    float[] single = new float[2 + 2 * headSize];
                    VectorKernels.weightedSum64TwoHeads(pair, 2 + c, 2 + headSize + c, weights, 0, n, values, offsets, 0, split,
                            headSize + c, true);
                    VectorKernels.weightedSum64TwoHeads(pair, 2 + c, 2 + headSize + c, weights, 0, n, values, offsets, split, n,
                            headSize + c, false);
                    VectorKernels.weightedSum64(single, 2 + c, weights, 0, values, offsets, 0, split, headSize + c, true);
                    VectorKernels.weightedSum64(single, 2 + c, weights, 0, values, offsets, split, n, headSize + c, false);
                    VectorKernels.weightedSum64(single, 2 + headSize + c, weights, n, values, offsets, 0, split, headSize + c, true);
                    VectorKernels.weightedSum64(single, 2 + headSize + c, weights, n, values, offsets, split, n, headSize + c, false);
                    assertThat(pair).containsExactly(single);
                }
            }
        }
    }

    @Test
    void q8_0InGroupsOf8BlocksMatchesGgml() {
        int blocks = 24;
        float[] x = new float[blocks * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        MatmulInput input = new MatmulInput(x);
        MemorySegment q8 = blocks(blocks, 34);
        for (int j = 0; j < 32; j++) {
            q8.set(Numbers.BYTE, 2 + j, (byte) (j % 2 == 0 ? -128 : 127)); // the largest products
        }
        q8.set(Numbers.SHORT_LE, 34L * 3, (short) 0);        // a zero scale
        q8.set(Numbers.SHORT_LE, 34L * 5, (short) 0x8123);   // a negative subnormal scale
        float ggml = ggmlQ8_0Dot(q8, 0, input.q8Quants(), input.q8Scales(), blocks);
        Q8_0Tensor repacked = (Q8_0Tensor) FloatTensor.of(io.herd.engine.gguf.GGMLType.Q8_0, q8, blocks * 32L);
        assertThat(repacked.dot(0, input, blocks * 32)).isCloseTo(ggml, within(1e-5f * (1 + Math.abs(ggml))));
        assertThat(repacked.dotScalar(0, input.q8Quants(), input.q8Scales(), blocks * 32)).isCloseTo(ggml, within(1e-5f * (1 + Math.abs(ggml))));
        // the second group on: the kernels start at any group of a row
        MatmulInput tail = new MatmulInput();
        tail.set(x, 256, x.length - 256);
        float ggmlTail = ggmlQ8_0Dot(q8, 8, tail.q8Quants(), tail.q8Scales(), blocks - 8);
        assertThat(repacked.inWholeGroups(256, x.length - 256)).isTrue();
        assertThat(repacked.dot(256, tail, x.length - 256)).isCloseTo(ggmlTail, within(1e-5f * (1 + Math.abs(ggmlTail))));
        // rows of 12 blocks, each padded to 2 groups; the second row through the vector kernels, alone and in a row set
        Q8_0Tensor padded = (Q8_0Tensor) FloatTensor.of(io.herd.engine.gguf.GGMLType.Q8_0, q8, 24 * 32L, 12 * 32L);
        MatmulInput second = new MatmulInput();
        second.set(x, 0, 12 * 32);
        float ggmlFirst = ggmlQ8_0Dot(q8, 0, second.q8Quants(), second.q8Scales(), 12);
        float ggmlSecond = ggmlQ8_0Dot(q8, 12, second.q8Quants(), second.q8Scales(), 12);
        assertThat(padded.inWholeGroups(12 * 32, 12 * 32)).isTrue();
        assertThat(padded.dot(12 * 32, second, 12 * 32)).isCloseTo(ggmlSecond, within(1e-5f * (1 + Math.abs(ggmlSecond))));
        float[] rows = new float[2];
        try (Parallel pool = Parallel.create(1)) {
            padded.matmul(second, rows, 0, 2, 12 * 32, pool);
        }
        assertThat(rows[0]).isCloseTo(ggmlFirst, within(1e-5f * (1 + Math.abs(ggmlFirst))));
        assertThat(rows[1]).isEqualTo(padded.dot(12 * 32, second, 12 * 32));
        // a range that starts inside a group takes the scalar loop
        MatmulInput inside = new MatmulInput();
        inside.set(x, 0, 64);
        float ggmlInside = ggmlQ8_0Dot(q8, 1, inside.q8Quants(), inside.q8Scales(), 2);
        assertThat(padded.inWholeGroups(32, 64)).isFalse();
        assertThat(padded.dot(32, inside, 64)).isCloseTo(ggmlInside, within(1e-5f * (1 + Math.abs(ggmlInside))));
        float[] dequantized = new float[blocks * 32];
        padded.dequantize(0, dequantized, 0, dequantized.length);
        for (int e = 0; e < dequantized.length; e++) {
            int b = e / 32;
            float expected = q8.get(Numbers.BYTE, b * 34L + 2 + e % 32) * Float.float16ToFloat(q8.get(Numbers.SHORT_LE, b * 34L));
            assertThat(dequantized[e]).isEqualTo(expected);
            assertThat(padded.getFloat(e)).isEqualTo(expected);
        }
    }

    /**
     * The single-input product takes rows four at a time ({@code VectorKernels.dotQ8_0Rows}): 9 padded rows on one
     * thread are two sets of four and one row alone, each equal to the one-row kernel bit for bit, and to ggml's dot.
     */
    @Test
    void q8_0RowSetsEqualOneRowAtATime() {
        int rows = 9;
        int cols = 12 * 32;
        MemorySegment q8 = blocks(rows * 12, 34);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) random.nextGaussian();
        }
        MatmulInput input = new MatmulInput(x);
        Q8_0Tensor tensor = (Q8_0Tensor) FloatTensor.of(io.herd.engine.gguf.GGMLType.Q8_0, q8, (long) rows * cols, cols);
        float[] out = new float[rows];
        try (Parallel pool = Parallel.create(1)) {
            tensor.matmul(input, out, 0, rows, cols, pool);
        }
        for (int r = 0; r < rows; r++) {
            assertThat(out[r]).as("row %d", r).isEqualTo(tensor.dot((long) r * cols, input, cols));
            float ggml = ggmlQ8_0Dot(q8, r * 12, input.q8Quants(), input.q8Scales(), 12);
            assertThat(out[r]).as("row %d", r).isCloseTo(ggml, within(1e-5f * (1 + Math.abs(ggml))));
        }
    }

    /** ggml_vec_dot_q8_0_q8_0 on ggml's own block layout (fp16 scale, then 32 int8 quants). */
    private static float ggmlQ8_0Dot(MemorySegment w, int firstBlock, byte[] xq, float[] xd, int blocks) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (long) (firstBlock + b) * 34;
            int dot = 0;
            for (int j = 0; j < 32; j++) {
                dot += w.get(Numbers.BYTE, block + 2 + j) * xq[b * 32 + j];
            }
            sum += dot * (Float.float16ToFloat(w.get(Numbers.SHORT_LE, block)) * xd[b]);
        }
        return sum;
    }

    @Test
    void q4_0InGroupsOf16BlocksMatchesGgml() {
        assertQ4_0MatchesGgml(48);
    }

    /**
     * Q4_0 on {@code blocks} blocks (a multiple of 16) with extreme nibbles and a zero and a subnormal scale, against
     * ggml's dot: whole rows, a row starting at the second group, rows padded to whole groups, a range that is not
     * whole groups (scalar path), and the dequantized values.
     */
    private void assertQ4_0MatchesGgml(int blocks) {
        float[] x = new float[blocks * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        MatmulInput input = new MatmulInput(x);
        MemorySegment q4 = blocks(blocks, 18);
        for (int j = 0; j < 16; j++) {
            q4.set(Numbers.BYTE, 2 + j, (byte) (j % 2 == 0 ? 0x0F : 0xF0)); // nibbles 0 and 15: -8 and 7
        }
        q4.set(Numbers.SHORT_LE, 18L * 3, (short) 0);        // a zero scale
        q4.set(Numbers.SHORT_LE, 18L * 5, (short) 0x8123);   // a negative subnormal scale
        float ggml = ggmlQ4_0Dot(q4, 0, input.q8Quants(), input.q8Scales(), blocks);
        Q4_0Tensor repacked = (Q4_0Tensor) FloatTensor.of(io.herd.engine.gguf.GGMLType.Q4_0, q4, blocks * 32L);
        assertThat(repacked.dot(0, input, blocks * 32)).isCloseTo(ggml, within(1e-5f * (1 + Math.abs(ggml))));
        assertThat(repacked.dotScalar(0, input.q8Quants(), input.q8Scales(), blocks * 32)).isCloseTo(ggml, within(1e-5f * (1 + Math.abs(ggml))));
        // the second group on: the kernels start at any group of a row
        MatmulInput tail = new MatmulInput();
        tail.set(x, 512, x.length - 512);
        float ggmlTail = ggmlQ4_0Dot(q4, 16, tail.q8Quants(), tail.q8Scales(), blocks - 16);
        assertThat(repacked.dot(512, tail, x.length - 512)).isCloseTo(ggmlTail, within(1e-5f * (1 + Math.abs(ggmlTail))));
        // rows of 24 blocks, each padded to 2 groups; the second row through the vector kernel
        Q4_0Tensor padded = (Q4_0Tensor) FloatTensor.of(io.herd.engine.gguf.GGMLType.Q4_0, q4.asSlice(0, 48 * 18L), 48 * 32L, 24 * 32L);
        MatmulInput second = new MatmulInput();
        second.set(x, 0, 24 * 32);
        float ggmlSecond = ggmlQ4_0Dot(q4, 24, second.q8Quants(), second.q8Scales(), 24);
        assertThat(padded.inWholeGroups(24 * 32, 24 * 32)).isTrue();
        assertThat(padded.dot(24 * 32, second, 24 * 32)).isCloseTo(ggmlSecond, within(1e-5f * (1 + Math.abs(ggmlSecond))));
        // a range that starts inside a group takes the scalar loop
        MatmulInput inside = new MatmulInput();
        inside.set(x, 0, 64);
        float ggmlInside = ggmlQ4_0Dot(q4, 1, inside.q8Quants(), inside.q8Scales(), 2);
        assertThat(padded.inWholeGroups(32, 64)).isFalse();
        assertThat(padded.dot(32, inside, 64)).isCloseTo(ggmlInside, within(1e-5f * (1 + Math.abs(ggmlInside))));
        float[] dequantized = new float[48 * 32];
        padded.dequantize(0, dequantized, 0, dequantized.length);
        for (int e = 0; e < dequantized.length; e++) {
            int b = e / 32;
            int i = e % 32;
            int packed = Byte.toUnsignedInt(q4.get(Numbers.BYTE, b * 18L + 2 + i % 16));
            float expected = ((i < 16 ? packed & 0x0F : packed >>> 4) - 8) * Float.float16ToFloat(q4.get(Numbers.SHORT_LE, b * 18L));
            assertThat(dequantized[e]).isEqualTo(expected);
            assertThat(padded.getFloat(e)).isEqualTo(expected);
        }
    }

    /** ggml_vec_dot_q4_0_q8_0 on ggml's own block layout (byte i: element i low nibble, element i+16 high). */
    private static float ggmlQ4_0Dot(MemorySegment w, int firstBlock, byte[] xq, float[] xd, int blocks) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 18L;
            int dot = 0;
            for (int j = 0; j < 16; j++) {
                int packed = Byte.toUnsignedInt(w.get(Numbers.BYTE, at + 2 + j));
                dot += ((packed & 0x0F) - 8) * xq[b * 32 + j] + ((packed >>> 4) - 8) * xq[b * 32 + j + 16];
            }
            sum += dot * (Float.float16ToFloat(w.get(Numbers.SHORT_LE, at)) * xd[b]);
        }
        return sum;
    }

    @Test
    void q8ActivationsFollowGgml() {
        float[] x = new float[32];
        x[0] = 2.54f;
        x[1] = -1.27f;
        x[2] = 0.01f; // 0.01 * 127/2.54 = 0.5 -> rounds to even, 0
        x[3] = 0.03f; // 1.5 -> 2
        MatmulInput input = new MatmulInput(x);
        assertThat(input.q8Quants()[0]).isEqualTo((byte) 127);
        assertThat(input.q8Quants()[1]).isEqualTo((byte) -64); // -63.5 -> -64 (even)
        assertThat(input.q8Quants()[2]).isEqualTo((byte) 0);
        assertThat(input.q8Quants()[3]).isEqualTo((byte) 2);
        assertThat(input.q8Scales()[0]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(2.54f / 127)));
    }

    @Test
    void parallelCoversEveryIndexOnceAndPropagatesFailures() {
        try (Parallel pool = Parallel.create(3)) {
            for (int n : new int[] {1, 2, 5, 64, 1000}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                pool.forRange(n, (start, end) -> {
                    for (int i = start; i < end; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(hits.get(i)).isEqualTo(1);
                }
            }
            assertThatThrownBy(() -> pool.forRange(100, (s, e) -> {
                throw new IllegalStateException("boom");
            })).hasMessage("boom");
            int[] after = new int[10];
            pool.forRange(10, (s, e) -> {
                for (int i = s; i < e; i++) {
                    after[i] = i;
                }
            });
            assertThat(after[9]).isEqualTo(9);
        }
    }

    /** Random Q4_K or Q5_K super-blocks (random scales, mins and quants) with small finite d and dmin. */
    private byte[] kQuantBlocks(int blocks, int blockBytes) {
        byte[] raw = new byte[blocks * blockBytes];
        random.nextBytes(raw);
        MemorySegment w = MemorySegment.ofArray(raw);
        for (int b = 0; b < blocks; b++) {
            w.set(Numbers.SHORT_LE, (long) b * blockBytes, Float.floatToFloat16(0.002f * (b + 1)));
            w.set(Numbers.SHORT_LE, (long) b * blockBytes + 2, Float.floatToFloat16(0.001f));
        }
        return raw;
    }

    private MatmulInput randomInput(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return new MatmulInput(x);
    }

    @Test
    void q4_KVectorKernelEqualsTheScalarOneExactly() {
        int blocks = 6;
        byte[] raw = kQuantBlocks(blocks, 144);
        MemorySegment w = MemorySegment.ofArray(raw);
        MatmulInput input = randomInput(blocks * 256);
        float scalar = GgmlKQuants.dotQ4_K(w, 0, input.qKQuants(), input.qKScales(), input.qKBlockSums(), 0, blocks);
        // the tensor repacks the ggml blocks into sub-blocks in lanes; the kernel reads that form
        Q4_KTensor tensor = (Q4_KTensor) FloatTensor.of(io.herd.engine.gguf.GGMLType.Q4_K, w, blocks * 256L, blocks * 256);
        float vector = tensor.dot(0, input, blocks * 256);
        assertThat(vector).isEqualTo(scalar);
        // the fallback without the Vector API, on the same repacked blocks
        assertThat(tensor.dotScalar(0, input.qKQuants(), input.qKScales(), input.qKBlockSums(), blocks)).isEqualTo(scalar);
        // a row starting at a later super-block
        MatmulInput tail = randomInput((blocks - 2) * 256);
        assertThat(tensor.dot(2 * 256, tail, (blocks - 2) * 256))
                .isEqualTo(GgmlKQuants.dotQ4_K(w, 2L * 144, tail.qKQuants(), tail.qKScales(), tail.qKBlockSums(), 0, blocks - 2));
        float[] dequantized = new float[blocks * 256];
        tensor.dequantize(0, dequantized, 0, dequantized.length);
        for (int i = 0; i < dequantized.length; i++) {
            long block = (i / 256) * 144L;
            int sub = (i % 256) / 32;
            int packed = Byte.toUnsignedInt(w.get(Numbers.BYTE, block + 16 + 32L * (sub / 2) + i % 32));
            int q = sub % 2 == 0 ? packed & 0x0F : packed >>> 4;
            float d = Float.float16ToFloat(w.get(Numbers.SHORT_LE, block)) * GgmlKQuants.scale(w, block, sub);
            float m = Float.float16ToFloat(w.get(Numbers.SHORT_LE, block + 2)) * GgmlKQuants.min(w, block, sub);
            assertThat(dequantized[i]).as("element %d", i).isEqualTo(d * q - m);
            assertThat(tensor.getFloat(i)).as("element %d", i).isEqualTo(d * q - m);
        }
    }

    @Test
    void q5_KVectorKernelEqualsTheScalarOneExactly() {
        int blocks = 6;
        byte[] raw = kQuantBlocks(blocks, 176);
        MemorySegment w = MemorySegment.ofArray(raw);
        MatmulInput input = randomInput(blocks * 256);
        float scalar = GgmlKQuants.dotQ5_K(w, 0, input.qKQuants(), input.qKScales(), input.qKBlockSums(), blocks);
        // the tensor repacks the ggml blocks into sub-blocks in lanes; the kernel reads that form
        Q5_KTensor tensor = (Q5_KTensor) FloatTensor.of(io.herd.engine.gguf.GGMLType.Q5_K, w, blocks * 256L, blocks * 256);
        assertThat(tensor.dot(0, input, blocks * 256)).isEqualTo(scalar);
        assertThat(tensor.dotScalar(0, input.qKQuants(), input.qKScales(), input.qKBlockSums(), blocks)).isEqualTo(scalar);
        MatmulInput tail = randomInput((blocks - 2) * 256);
        assertThat(tensor.dot(2 * 256, tail, (blocks - 2) * 256))
                .isEqualTo(GgmlKQuants.dotQ5_K(w, 2L * 176, tail.qKQuants(), tail.qKScales(), tail.qKBlockSums(), blocks - 2));
        float[] dequantized = new float[blocks * 256];
        tensor.dequantize(0, dequantized, 0, dequantized.length);
        for (int i = 0; i < dequantized.length; i++) {
            long block = (i / 256) * 176L;
            int sub = (i % 256) / 32;
            float d = Float.float16ToFloat(w.get(Numbers.SHORT_LE, block)) * GgmlKQuants.scale(w, block, sub);
            float m = Float.float16ToFloat(w.get(Numbers.SHORT_LE, block + 2)) * GgmlKQuants.min(w, block, sub);
            float expected = d * GgmlKQuants.q5Quant(w, block, i % 256) - m;
            assertThat(dequantized[i]).as("element %d", i).isEqualTo(expected);
            assertThat(tensor.getFloat(i)).as("element %d", i).isEqualTo(expected);
        }
    }

    @Test
    void q6_KVectorKernelEqualsTheScalarOneExactly() {
        int blocks = 5;
        byte[] raw = new byte[blocks * 210];
        random.nextBytes(raw);
        MemorySegment w = MemorySegment.ofArray(raw);
        for (int b = 0; b < blocks; b++) {
            w.set(Numbers.SHORT_LE, b * 210L + 208, Float.floatToFloat16(0.001f * (b + 1)));
        }
        float[] x = new float[blocks * 256];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        MatmulInput input = new MatmulInput(x);
        float scalar = GgmlKQuants.dotQ6_K(w, 0, input.qKQuants(), input.qKScales(), 0, blocks);
        // the tensor repacks the ggml blocks into sub-blocks in lanes; the kernel reads that form
        Q6_KTensor tensor = (Q6_KTensor) FloatTensor.of(io.herd.engine.gguf.GGMLType.Q6_K, w, blocks * 256L, blocks * 256);
        assertThat(tensor.dot(0, input, blocks * 256)).isEqualTo(scalar);
        assertThat(tensor.dotScalar(0, input.qKQuants(), input.qKScales(), blocks)).isEqualTo(scalar);
        MatmulInput tail = randomInput((blocks - 2) * 256);
        assertThat(tensor.dot(2 * 256, tail, (blocks - 2) * 256))
                .isEqualTo(GgmlKQuants.dotQ6_K(w, 2L * 210, tail.qKQuants(), tail.qKScales(), 0, blocks - 2));
        float[] dequantized = new float[blocks * 256];
        tensor.dequantize(0, dequantized, 0, dequantized.length);
        for (int i = 0; i < dequantized.length; i++) {
            long block = (i / 256) * 210L;
            float expected = Float.float16ToFloat(w.get(Numbers.SHORT_LE, block + 208)) * w.get(Numbers.BYTE, block + 192 + (i % 256) / 16)
                    * GgmlKQuants.q6Quant(w, block, i % 256);
            assertThat(dequantized[i]).as("element %d", i).isEqualTo(expected);
            assertThat(tensor.getFloat(i)).as("element %d", i).isEqualTo(expected);
        }
    }
}
