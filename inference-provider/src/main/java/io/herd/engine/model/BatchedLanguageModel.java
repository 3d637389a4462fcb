package io.herd.engine.model;

/**
 * A model that runs many sequences' tokens in one forward pass over paged key/value storage, for
 * continuous batching. Each row's results equal those of running it alone.
 */
public interface BatchedLanguageModel extends LanguageModel {

    Configuration configuration();

    /** Activations for batches of up to {@code rows} rows (grown on demand). */
    BatchState newBatchState(int rows);

    /** Paged key/value storage of {@code blockCount} blocks of {@code blockSize} positions. */
    KvBlocks newKvBlocks(int blockCount, int blockSize);

    /** Runs every row of {@code batch}, writing keys and values into {@code kv}; logits land in {@code state}. */
    void forwardBatch(BatchState state, ForwardBatch batch, KvBlocks kv);
}
