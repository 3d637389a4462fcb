package io.herd.engine.tensor;

import io.herd.engine.gguf.GGMLType;

import java.lang.foreign.MemorySegment;

/**
 * A read-only tensor of {@code size} elements over (usually memory-mapped) bytes in one ggml
 * layout. Each subclass owns the arithmetic of its layout: element access, dot products against
 * an input vector, and dequantization of ranges.
 */
public abstract sealed class FloatTensor
        permits F32Tensor, F16Tensor, BF16Tensor, Q8_0Tensor, Q4_0Tensor, ScaledMinKTensor, Q6_KTensor {

    protected final MemorySegment data;
    protected final long size;

    protected FloatTensor(MemorySegment data, long size) {
        this.data = data;
        this.size = size;
    }

    /**
     * A tensor of {@code size} elements of {@code type} over {@code data}. Types whose kernels want another layout
     * (Q4_0, Q8_0) are repacked into Java arrays and no longer read {@code data}.
     */
    public static FloatTensor of(GGMLType type, MemorySegment data, long size) {
        return of(type, data, size, size);
    }

    /**
     * The same for a matrix of rows of {@code rowLength} elements: a layout that depends on rows (Q4_0's and Q8_0's
     * groups start at each row) uses it.
     */
    public static FloatTensor of(GGMLType type, MemorySegment data, long size, long rowLength) {
        if (size % type.blockSize() != 0) {
            throw new IllegalArgumentException(size + " elements are not a whole number of " + type + " blocks");
        }
        long expected = type.byteSize(size);
        if (data.byteSize() < expected) {
            throw new IllegalArgumentException(type + " tensor of " + size + " elements needs " + expected
                    + " bytes, got " + data.byteSize());
        }
        return switch (type) {
            case F32 -> new F32Tensor(data, size);
            case F16 -> new F16Tensor(data, size);
            case BF16 -> new BF16Tensor(data, size);
            case Q8_0 -> Q8_0Tensor.repack(data, size, rowLength);
            case Q4_0 -> Q4_0Tensor.repack(data, size, rowLength);
            case Q4_K -> Q4_KTensor.copyOf(data, size);
            case Q5_K -> Q5_KTensor.copyOf(data, size);
            case Q6_K -> Q6_KTensor.copyOf(data, size);
            default -> throw new UnsupportedOperationException("tensor type " + type + " is not supported");
        };
    }


    /** Repacks a run of ggml blocks: {@code count} blocks from block {@code firstBlock}, their bytes in {@code chunk}. */
    @FunctionalInterface
    interface BlockRepacker {
        void repack(byte[] chunk, int firstBlock, int count);
    }

    /** ggml blocks copied out at a time by {@link #repackInChunks}. */
    private static final int REPACK_CHUNK_BLOCKS = 4096;

    /** A task of {@link #inParallel}: the indices {@code [from, to)}. */
    @FunctionalInterface
    interface RangeTask {
        void run(long from, long to);
    }

    /**
     * Runs {@code task} over {@code [0, count)} split into a few contiguous ranges per core, on the common fork-join
     * pool. For loading: the repacking is element by element and ran at a few hundred MB/s on one core, so a multi-GB
     * model took tens of seconds. Few ranges, so that each allocates its buffers once: a buffer per row or chunk made
     * as much garbage as the model, and the collector grew the heap (bench-1b-Q8_0's peak RSS rose by 500 MiB).
     */
    static void inParallel(long count, RangeTask task) {
        int tasks = (int) Math.max(1, Math.min(count, 2L * Runtime.getRuntime().availableProcessors()));
        java.util.stream.IntStream.range(0, tasks).parallel()
                .forEach(t -> task.run(count * t / tasks, count * (t + 1) / tasks));
    }

    /**
     * Runs {@code repacker} over {@code blocks} ggml blocks of {@code blockBytes} ({@link #inParallel}), each range's
     * bytes copied out of {@code ggml} a chunk at a time into one buffer. Each chunk writes its own blocks only.
     */
    static void repackInChunks(MemorySegment ggml, long blocks, int blockBytes, BlockRepacker repacker) {
        inParallel(blocks, (from, to) -> {
            byte[] chunk = new byte[(int) Math.min(REPACK_CHUNK_BLOCKS, to - from) * blockBytes];
            for (long first = from; first < to; first += REPACK_CHUNK_BLOCKS) {
                int count = (int) Math.min(REPACK_CHUNK_BLOCKS, to - first);
                MemorySegment.copy(ggml, Numbers.BYTE, first * blockBytes, chunk, 0, count * blockBytes);
                repacker.repack(chunk, (int) first, count);
            }
        });
    }

    /** Whether {@link #of} copies {@code type} into a layout of its own (so the source bytes are no longer read). */
    public static boolean isRepackedAtLoad(GGMLType type) {
        return type == GGMLType.Q4_0 || type == GGMLType.Q8_0 || type == GGMLType.Q4_K || type == GGMLType.Q5_K
                || type == GGMLType.Q6_K;
    }

    /** The bytes {@link #of} holds in the heap for {@code fileBytes} of a type it repacks (Q4_K's and Q5_K's blocks grow by 4 bytes). */
    public static long repackedBytes(GGMLType type, long fileBytes) {
        return switch (type) {
            case Q4_K -> fileBytes / Q4_KTensor.BLOCK_BYTES * Q4_KTensor.PACKED_BYTES;
            case Q5_K -> fileBytes / Q5_KTensor.BLOCK_BYTES * Q5_KTensor.PACKED_BYTES;
            default -> fileBytes;
        };
    }

    public static boolean isSupported(GGMLType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    public final long size() {
        return size;
    }

    public final MemorySegment segment() {
        return data;
    }

    public abstract GGMLType type();

    /** What {@link #dot(long, MatmulInput, int)} expects its input to be prepared as. */
    public abstract ActivationFormat activationFormat();

    public abstract float getFloat(long index);

    /** Dot product of elements {@code [thisOffset, thisOffset+size)} with plain floats. */
    public float dot(long thisOffset, float[] that, int thatOffset, int size) {
        float result = 0f;
        for (int i = 0; i < size; i++) {
            result += getFloat(thisOffset + i) * that[thatOffset + i];
        }
        return result;
    }

    /**
     * Dot product of elements {@code [thisOffset, thisOffset+size)} with the first {@code size} values
     * of {@code input}, in this type's native arithmetic (see {@link ActivationFormat}). {@code thisOffset}
     * and {@code size} are whole blocks.
     */
    public abstract float dot(long thisOffset, MatmulInput input, int size);

    /** Copies elements {@code [offset, offset+n)} as floats into {@code dst}. */
    public void dequantize(long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = getFloat(offset + i);
        }
    }

    /**
     * {@code out[outOffset + r] = row r · x} for the {@code rows x cols} row-major matrix this tensor
     * holds, rows spread over {@code pool}.
     */
    public void matmul(MatmulInput x, float[] out, int outOffset, int rows, int cols, Parallel pool) {
        checkMatmul(x, rows, cols);
        prepare(x);
        pool.forRange(rows, (start, end) -> {
            for (int r = start; r < end; r++) {
                out[outOffset + r] = dot((long) r * cols, x, cols);
            }
        });
    }

    final void checkMatmul(MatmulInput x, int rows, int cols) {
        if ((long) rows * cols > size) {
            throw new IllegalArgumentException("matmul " + rows + "x" + cols + " exceeds tensor of " + size + " elements");
        }
        if (x.length() < cols) {
            throw new IllegalArgumentException("input of " + x.length() + " values, expected " + cols);
        }
    }

    /** A kernel over {@code count} rows at once: {@code first}, {@code first + stride}, ... */
    @FunctionalInterface
    interface RowSetKernel {
        void rows(int first, int stride, int count);
    }

    /**
     * Runs {@code kernel} over {@code rows} rows {@code set} at a time, one from each {@code set}-th part of each
     * thread's range, and the few rows left over one at a time: a kernel that reads several rows keeps several memory
     * streams in flight per core (one core's single stream does not reach the memory bandwidth) and loads the input
     * once for all of them.
     */
    static void forRowSets(int rows, int set, Parallel pool, RowSetKernel kernel) {
        pool.forRange(rows, (start, end) -> {
            int part = (end - start) / set;
            for (int i = 0; i < part; i++) {
                kernel.rows(start + i, part, set);
            }
            for (int r = start + set * part; r < end; r++) {
                kernel.rows(r, 0, 1);
            }
        });
    }

    /**
     * The same product for {@code count} inputs at once (a prompt's tokens): {@code outputs[b][outputOffsets[b] + r]
     * = row r . inputs[b]}. Each weight row is read once for all inputs; every result is bit-identical to
     * the single-input {@link #matmul(MatmulInput, float[], int, int, int, Parallel)}.
     */
    public void matmul(MatmulInput[] inputs, int count, float[][] outputs, int[] outputOffsets, int rows, int cols,
                       Parallel pool) {
        if ((long) rows * cols > size) {
            throw new IllegalArgumentException("matmul " + rows + "x" + cols + " exceeds tensor of " + size + " elements");
        }
        for (int b = 0; b < count; b++) {
            if (inputs[b].length() < cols) {
                throw new IllegalArgumentException("input " + b + " has " + inputs[b].length() + " values, expected " + cols);
            }
        }
        if (count == 1) {
            // A decode step of one sequence: the single-input kernels take rows in sets, which the loop below does not.
            matmul(inputs[0], outputs[0], outputOffsets[0], rows, cols, pool);
            return;
        }
        if (Kernels.VECTOR && multiplyBatch(inputs, count, outputs, outputOffsets, rows, cols, pool)) {
            return;
        }
        for (int b = 0; b < count; b++) {
            prepare(inputs[b]);
        }
        pool.forRange(rows, (start, end) -> {
            for (int r = start; r < end; r++) {
                for (int b = 0; b < count; b++) {
                    outputs[b][outputOffsets[b] + r] = dot((long) r * cols, inputs[b], cols);
                }
            }
        });
    }

    /**
     * The batched product by a matrix-matrix kernel ({@link QuantizedGemm}), for the types that have one: it packs
     * the inputs itself, on the calling thread, in the one form it reads. False: use the row-by-row loop.
     */
    boolean multiplyBatch(MatmulInput[] inputs, int count, float[][] outputs, int[] outputOffsets, int rows, int cols, Parallel pool) {
        return false;
    }

    /** One weight row (from index {@code rowAt} of the tensor's array) against four inputs, into {@code out[0..4)}. */
    @FunctionalInterface
    interface FourInputDot {
        void dot(int rowAt, MatmulInput a, MatmulInput b, MatmulInput c, MatmulInput d, float[] out);
    }

    /** One weight row (from index {@code rowAt} of the tensor's array) against one input. */
    @FunctionalInterface
    interface OneInputDot {
        float dot(int rowAt, MatmulInput x);
    }

    /** Per-thread results of a {@link FourInputDot}. */
    private static final ThreadLocal<float[]> FOUR_RESULTS = ThreadLocal.withInitial(() -> new float[4]);

    /**
     * A batched product row by row, each row (of {@code rowLength} array elements) against the prepared inputs four at a
     * time and the rest one at a time: the K-quants take each weight word apart once for four inputs.
     */
    static void multiplyInFours(MatmulInput[] inputs, int count, float[][] outputs, int[] outputOffsets, int rows,
                                int rowLength, Parallel pool, FourInputDot four, OneInputDot one) {
        int fours = count / 4 * 4;
        pool.forRange(rows, (start, end) -> {
            float[] results = FOUR_RESULTS.get();
            for (int r = start; r < end; r++) {
                int row = r * rowLength;
                for (int i = 0; i < fours; i += 4) {
                    four.dot(row, inputs[i], inputs[i + 1], inputs[i + 2], inputs[i + 3], results);
                    for (int k = 0; k < 4; k++) {
                        outputs[i + k][outputOffsets[i + k] + r] = results[k];
                    }
                }
                for (int i = fours; i < count; i++) {
                    outputs[i][outputOffsets[i] + r] = one.dot(row, inputs[i]);
                }
            }
        });
    }

    /** Computes the input form this type needs once, on the calling thread, before rows fan out. */
    protected void prepare(MatmulInput x) {
        switch (activationFormat()) {
            case F32 -> {
            }
            case F16, BF16 -> x.rounded(activationFormat());
            case Q8_0 -> x.q8Scales();
            case Q8_K -> x.qKScales();
        }
    }

    protected static float half(MemorySegment segment, long byteOffset) {
        return Numbers.halfToFloat(segment.get(Numbers.SHORT_LE, byteOffset));
    }

    protected static int unsignedByte(MemorySegment segment, long byteOffset) {
        return Byte.toUnsignedInt(segment.get(Numbers.BYTE, byteOffset));
    }

    @Override
    public String toString() {
        return type() + "[" + size + "]";
    }
}
