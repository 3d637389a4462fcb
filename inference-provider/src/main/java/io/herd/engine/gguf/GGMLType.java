package io.herd.engine.gguf;

import java.util.Optional;

/**
 * ggml tensor element types as numbered in GGUF, with their block geometry: {@code blockSize}
 * elements are stored in {@code typeSize} bytes. Sizes follow ggml's type traits.
 */
public enum GGMLType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 2 + 16),
    Q4_1(3, 32, 2 + 2 + 16),
    Q5_0(6, 32, 2 + 4 + 16),
    Q5_1(7, 32, 2 + 2 + 4 + 16),
    Q8_0(8, 32, 2 + 32),
    Q8_1(9, 32, 4 + 32),
    Q2_K(10, 256, 256 / 16 + 256 / 4 + 2 + 2),
    Q3_K(11, 256, 256 / 8 + 256 / 4 + 12 + 2),
    Q4_K(12, 256, 2 + 2 + 12 + 256 / 2),
    Q5_K(13, 256, 2 + 2 + 12 + 256 / 8 + 256 / 2),
    Q6_K(14, 256, 256 / 2 + 256 / 4 + 256 / 16 + 2),
    Q8_K(15, 256, 4 + 256 + 256 / 16 * 2),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    BF16(30, 1, 2);

    private static final GGMLType[] BY_ID = new GGMLType[64];

    static {
        for (GGMLType type : values()) {
            BY_ID[type.id] = type;
        }
    }

    private final int id;
    private final int blockSize;
    private final int typeSize;

    GGMLType(int id, int blockSize, int typeSize) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    /** The GGUF type id. */
    public int id() {
        return id;
    }

    /** Elements per block. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    /** Bytes taken by {@code elements} elements, which must be a whole number of blocks. */
    public long byteSize(long elements) {
        return Math.multiplyExact(elements / blockSize, (long) typeSize);
    }

    public static Optional<GGMLType> byId(long id) {
        if (id < 0 || id >= BY_ID.length) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_ID[(int) id]);
    }
}
