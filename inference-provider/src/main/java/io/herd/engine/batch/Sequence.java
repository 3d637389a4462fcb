package io.herd.engine.batch;

import io.herd.engine.generate.Generation;

import java.util.Arrays;

/**
 * A request inside the scheduler: its generation (sampler and stop rules), the tokens fed so far, and
 * its KV block table. Owned by the scheduler thread.
 */
final class Sequence {

    final GenerationHandle handle;
    final Generation generation;
    final int promptLength;
    /** Positions this sequence may ever feed: prompt plus generated tokens, capped by its context. */
    final int maxPositions;
    final int[] blockTable;
    /** Prompt, then each generated token once it has been fed back. */
    int[] tokens;
    /** Positions whose keys and values are in the cache. */
    int computed;
    int blocksHeld;
    int reservedLeft;
    /** Full blocks whose chained hash is known, and the hash of the last of them. */
    int hashedBlocks;
    long lastHash = KvBlockPool.ROOT_HASH;
    boolean finished;
    /** Rows planned for the current step, and the logits index of its last row (-1: none). */
    int plannedRows;
    int logitsRow = -1;

    Sequence(GenerationHandle handle, Generation generation, int[] prompt, int maxPositions, int blockSize) {
        this.handle = handle;
        this.generation = generation;
        this.promptLength = prompt.length;
        this.maxPositions = maxPositions;
        this.blockTable = new int[blocksFor(maxPositions, blockSize)];
        this.tokens = Arrays.copyOf(prompt, maxPositions);
    }

    static int blocksFor(int positions, int blockSize) {
        return (positions + blockSize - 1) / blockSize;
    }

    boolean prefilling() {
        return computed < promptLength;
    }
}
