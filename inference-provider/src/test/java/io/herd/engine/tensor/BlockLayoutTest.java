package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Hand-built blocks: the test packs values following the ggml block layouts and checks that each tensor
 * type decodes them to the value the format defines.
 */
class BlockLayoutTest {

    private final Random random = new Random(42);

    private static MemorySegment segment(ByteBuffer b) {
        return MemorySegment.ofArray(b.array());
    }

    private static ByteBuffer buffer(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void q8_0() {
        int blocks = 3;
        ByteBuffer b = buffer(blocks * 34);
        float[] expected = new float[blocks * 32];
        for (int blk = 0; blk < blocks; blk++) {
            float d = 0.01f * (blk + 1);
            b.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < 32; j++) {
                int q = random.nextInt(256) - 128;
                b.put((byte) q);
                expected[blk * 32 + j] = q * Float.float16ToFloat(Float.floatToFloat16(d));
            }
        }
        assertDecodes(GGMLType.Q8_0, b, expected);
    }

    @Test
    void q4_0LowNibblesAreTheFirstHalf() {
        int blocks = 2;
        ByteBuffer b = buffer(blocks * 18);
        float[] expected = new float[blocks * 32];
        for (int blk = 0; blk < blocks; blk++) {
            float d = Float.float16ToFloat(Float.floatToFloat16(0.37f * (blk + 1)));
            b.putShort(Float.floatToFloat16(d));
            int[] q = new int[32];
            for (int j = 0; j < 32; j++) {
                q[j] = random.nextInt(16);
                expected[blk * 32 + j] = (q[j] - 8) * d;
            }
            for (int j = 0; j < 16; j++) {
                b.put((byte) (q[j] | (q[j + 16] << 4)));
            }
        }
        assertDecodes(GGMLType.Q4_0, b, expected);
    }

    @Test
    void q4_KPacksSixBitScalesAndMinsAsGetScaleMinK4() {
        ByteBuffer b = buffer(2 * 144);
        float[] expected = new float[512];
        for (int blk = 0; blk < 2; blk++) {
            float d = Float.float16ToFloat(Float.floatToFloat16(0.013f * (blk + 1)));
            float dmin = Float.float16ToFloat(Float.floatToFloat16(0.007f));
            int[] scales = new int[8];
            int[] mins = new int[8];
            for (int j = 0; j < 8; j++) {
                scales[j] = random.nextInt(64);
                mins[j] = random.nextInt(64);
            }
            // 12 bytes: bytes 0-3 scales 0-3 (low 6 bits) + bits 4-5 of scales 4-7 on top; bytes 4-7 the same
            // for mins; bytes 8-11 low nibble = low 4 bits of scale 4-7, high nibble = low 4 bits of min 4-7.
            byte[] packed = new byte[12];
            for (int j = 0; j < 4; j++) {
                packed[j] = (byte) (scales[j] | ((scales[j + 4] >> 4) << 6));
                packed[j + 4] = (byte) (mins[j] | ((mins[j + 4] >> 4) << 6));
                packed[j + 8] = (byte) ((scales[j + 4] & 15) | ((mins[j + 4] & 15) << 4));
            }
            int[] q = new int[256];
            for (int i = 0; i < 256; i++) {
                q[i] = random.nextInt(16);
                int sub = i / 32;
                expected[blk * 256 + i] = d * scales[sub] * q[i] - dmin * mins[sub];
            }
            b.putShort(Float.floatToFloat16(d)).putShort(Float.floatToFloat16(dmin)).put(packed);
            // 4 chunks of 32 bytes: byte l of chunk c = q[64c + l] | q[64c + 32 + l] << 4
            for (int c = 0; c < 4; c++) {
                for (int l = 0; l < 32; l++) {
                    b.put((byte) (q[64 * c + l] | (q[64 * c + 32 + l] << 4)));
                }
            }
        }
        assertDecodes(GGMLType.Q4_K, b, expected, 1e-6f);
    }

    @Test
    void q6_KSplitsLowNibblesAndHighBitPairs() {
        ByteBuffer b = buffer(210);
        float d = Float.float16ToFloat(Float.floatToFloat16(0.002f));
        int[] q = new int[256];
        int[] scales = new int[16];
        float[] expected = new float[256];
        for (int g = 0; g < 16; g++) {
            scales[g] = random.nextInt(256) - 128;
        }
        for (int i = 0; i < 256; i++) {
            q[i] = random.nextInt(64);
            expected[i] = d * scales[i / 16] * (q[i] - 32);
        }
        byte[] ql = new byte[128];
        byte[] qh = new byte[64];
        for (int half = 0; half < 2; half++) {
            for (int l = 0; l < 32; l++) {
                int base = 128 * half + l;
                ql[64 * half + l] = (byte) ((q[base] & 15) | ((q[base + 64] & 15) << 4));
                ql[64 * half + l + 32] = (byte) ((q[base + 32] & 15) | ((q[base + 96] & 15) << 4));
                qh[32 * half + l] = (byte) ((q[base] >> 4) | ((q[base + 32] >> 4) << 2) | ((q[base + 64] >> 4) << 4)
                        | ((q[base + 96] >> 4) << 6));
            }
        }
        b.put(ql).put(qh);
        for (int s : scales) {
            b.put((byte) s);
        }
        b.putShort(Float.floatToFloat16(d));
        assertDecodes(GGMLType.Q6_K, b, expected, 1e-6f);
    }

    @Test
    void halfAndBfloat16() {
        float[] values = {0f, 1f, -2.5f, 65504f, 1e-5f, 3.14159f};
        ByteBuffer h = buffer(values.length * 2);
        ByteBuffer bf = buffer(values.length * 2);
        float[] halfExpected = new float[values.length];
        float[] bfExpected = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            h.putShort(Float.floatToFloat16(values[i]));
            halfExpected[i] = Float.float16ToFloat(Float.floatToFloat16(values[i]));
            int bits = Float.floatToIntBits(values[i]);
            bf.putShort((short) (bits >>> 16)); // truncation: still a valid bfloat16 value
            bfExpected[i] = Float.intBitsToFloat(bits & 0xFFFF0000);
        }
        assertDecodes(GGMLType.F16, h, halfExpected);
        assertDecodes(GGMLType.BF16, bf, bfExpected);
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        // 1 + 2^-8 lies exactly between two bfloat16 values (1 and 1 + 2^-7): ties go to the even one, 1.
        assertThat(Numbers.roundToBfloat16(1f + 0x1p-8f)).isEqualTo(1f);
        assertThat(Numbers.roundToBfloat16(1f + 3 * 0x1p-8f)).isEqualTo(1f + 0x1p-6f);
        assertThat(Float.isNaN(Numbers.roundToBfloat16(Float.NaN))).isTrue();
    }

    private void assertDecodes(GGMLType type, ByteBuffer b, float[] expected) {
        assertDecodes(type, b, expected, 0f);
    }

    private void assertDecodes(GGMLType type, ByteBuffer b, float[] expected, float tolerance) {
        FloatTensor t = FloatTensor.of(type, segment(b), expected.length);
        float[] all = new float[expected.length];
        t.dequantize(0, all, 0, expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(t.getFloat(i)).as("%s element %d", type, i).isCloseTo(expected[i], within(tolerance));
            assertThat(all[i]).as("%s dequantized element %d", type, i).isCloseTo(expected[i], within(tolerance));
        }
        // dot with plain floats agrees with the decoded values
        float[] x = new float[expected.length];
        double reference = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
            reference += (double) expected[i] * x[i];
        }
        double magnitude = 0;
        for (int i = 0; i < x.length; i++) {
            magnitude += Math.abs((double) expected[i] * x[i]);
        }
        assertThat((double) t.dot(0, x, 0, x.length)).isCloseTo(reference, within(1e-5 * magnitude + 1e-6));
    }
}
