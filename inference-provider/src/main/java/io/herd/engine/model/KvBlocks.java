package io.herd.engine.model;

/**
 * Key/value cache storage carved into fixed blocks of {@code blockSize} positions, each block spanning all
 * layers (paged, as in vLLM). A sequence addresses its positions through a block table: position
 * {@code p} lives in block {@code table[p / blockSize]} at slot {@code p % blockSize}. Which block belongs
 * to which sequence is the caller's bookkeeping; this class only holds the numbers.
 */
public final class KvBlocks {

    private final int blockSize;
    private final int blockCount;
    private final int kvDim;
    final float[][] keys;
    final float[][] values;

    public KvBlocks(Configuration c, int blockCount, int blockSize) {
        if (blockCount < 1 || blockSize < 1) {
            throw new IllegalArgumentException("KV storage needs at least one block of at least one position, got "
                    + blockCount + " blocks of " + blockSize);
        }
        long floatsPerLayer = (long) blockCount * blockSize * c.kvDim();
        if (floatsPerLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(blockCount + " blocks of " + blockSize + " positions need "
                    + floatsPerLayer + " floats per layer, more than one Java array holds; lower the KV budget");
        }
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.kvDim = c.kvDim();
        this.keys = new float[c.layers()][(int) floatsPerLayer];
        this.values = new float[c.layers()][(int) floatsPerLayer];
    }

    /** Wraps existing per-layer arrays as a single block (the contiguous cache of a {@link State}). */
    KvBlocks(float[][] keys, float[][] values, int positions, int kvDim) {
        this.blockSize = positions;
        this.blockCount = 1;
        this.kvDim = kvDim;
        this.keys = keys;
        this.values = values;
    }

    /** Bytes one block takes: keys and values of {@code blockSize} positions in every layer, as floats. */
    public static long bytesPerBlock(Configuration c, int blockSize) {
        return 2L * c.layers() * blockSize * c.kvDim() * Float.BYTES;
    }

    public int blockSize() {
        return blockSize;
    }

    public int blockCount() {
        return blockCount;
    }

    /** Index into {@link #keys}/{@link #values} of a layer where {@code position} of a sequence starts. */
    int offset(int[] blockTable, int position) {
        return (blockTable[position / blockSize] * blockSize + position % blockSize) * kvDim;
    }

    /** Copies the keys and values of {@code positions} positions from one block to another (all layers). */
    public void copyBlock(int from, int to, int positions) {
        int length = positions * kvDim;
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(keys[l], from * blockSize * kvDim, keys[l], to * blockSize * kvDim, length);
            System.arraycopy(values[l], from * blockSize * kvDim, values[l], to * blockSize * kvDim, length);
        }
    }
}
