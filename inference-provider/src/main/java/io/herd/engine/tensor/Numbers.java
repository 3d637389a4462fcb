package io.herd.engine.tensor;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Half-precision conversions and the little-endian layouts ggml files use. */
public final class Numbers {

    public static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private Numbers() {
    }

    public static float halfToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Round to nearest even, like F16C and ggml's GGML_FP32_TO_FP16. */
    public static short floatToHalf(float value) {
        return Float.floatToFloat16(value);
    }

    public static float roundToHalf(float value) {
        return Float.float16ToFloat(Float.floatToFloat16(value));
    }

    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** ggml_compute_fp32_to_bf16: round to nearest even, NaN stays a (quiet) NaN. */
    public static short floatToBfloat16(float value) {
        int u = Float.floatToRawIntBits(value);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    public static float roundToBfloat16(float value) {
        return bfloat16ToFloat(floatToBfloat16(value));
    }
}
