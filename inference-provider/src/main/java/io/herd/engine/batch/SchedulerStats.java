package io.herd.engine.batch;

/**
 * A snapshot of a scheduler's counters.
 *
 * @param waiting          requests queued for KV memory or a running slot
 * @param running          sequences being prefilled or decoded
 * @param totalBlocks      KV blocks in the pool
 * @param usedBlocks       blocks held by running sequences
 * @param cachedBlocks     blocks held only by the prefix cache (evicted first when the pool needs space)
 * @param reservedBlocks   blocks promised to running sequences but not yet taken
 * @param forwardRows      token rows computed by forward passes since start
 * @param prefixHitTokens  prompt tokens whose keys and values came from the prefix cache instead
 * @param steps            forward passes run
 * @param completed        generations ended (any finish reason, errors included)
 */
public record SchedulerStats(int waiting, int running, int totalBlocks, int usedBlocks, int cachedBlocks,
                             int reservedBlocks, long forwardRows, long prefixHitTokens, long steps, long completed) {

    /** Blocks neither used, cached nor reserved. */
    public int freeBlocks() {
        return totalBlocks - usedBlocks - cachedBlocks - reservedBlocks;
    }
}
