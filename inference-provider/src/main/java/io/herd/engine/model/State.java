package io.herd.engine.model;

/**
 * Activations and KV cache of one sequence, sized for the context the caller asked for. The cache is one
 * contiguous block of {@code contextLength} positions, so the batched forward pass
 * ({@link Llama#forwardBatch}) serves single sequences too; its activations are allocated per batch row
 * on first use (one row for token-by-token decoding, more when a prompt is fed in batches).
 */
public final class State implements ModelState {

    final Configuration config;
    final int contextLength;
    final float[] logits;
    /** The cache seen as a single block of {@code contextLength} positions. */
    final KvBlocks blocks;
    final int[] blockTable = {0};
    private BatchState batchState;
    private final ForwardBatch batch = new ForwardBatch(1);

    State(Configuration c, int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length must be at least 1, got " + contextLength);
        }
        if ((long) contextLength * c.kvDim() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("context length " + contextLength + " is too large for one KV cache array");
        }
        this.config = c;
        this.contextLength = contextLength;
        this.logits = new float[c.vocabularySize()];
        this.blocks = new KvBlocks(new float[c.layers()][contextLength * c.kvDim()],
                new float[c.layers()][contextLength * c.kvDim()], contextLength, c.kvDim());
    }

    BatchState batchState(Configuration c, int rows) {
        if (batchState == null) {
            batchState = new BatchState(c, rows);
        }
        batchState.ensureCapacity(rows);
        return batchState;
    }

    /** The state's batch description, emptied, for up to {@code rows} rows. */
    ForwardBatch batch(int rows) {
        batch.clear();
        return batch;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }
}
