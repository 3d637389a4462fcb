package io.herd.engine.gguf;

import java.util.Arrays;

/**
 * Where a tensor lives in a GGUF file. {@code shape} is in ggml order: {@code shape[0]} is the
 * fastest-varying dimension (the row length of a matrix), {@code shape[1]} the number of rows.
 * {@code offset} is absolute in the file.
 */
public record GGUFTensorInfo(String name, GGMLType type, long[] shape, long offset, long elementCount, long byteSize) {

    public GGUFTensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int dimensions() {
        return shape.length;
    }

    /** Size of dimension {@code i} in ggml order; 1 beyond the stored dimensions. */
    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GGUFTensorInfo that && name.equals(that.name) && type == that.type
                && Arrays.equals(shape, that.shape) && offset == that.offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Long.hashCode(offset);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + " @" + offset;
    }
}
