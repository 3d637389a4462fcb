package io.herd.engine.batch;

/**
 * Limits of a {@link BatchScheduler}.
 *
 * @param kvBudgetBytes  memory for the paged key/value cache; split into blocks of {@code blockSize} positions
 * @param blockSize      positions per KV block (also the prefix cache's unit: only full blocks are shared)
 * @param maxWaiting     requests that may wait for KV memory or a running slot; one more is rejected
 *                       with {@link SchedulerFullException}
 * @param maxRunning     sequences decoded together in one batched step
 * @param maxStepTokens  rows per forward pass: the running sequences' decode tokens plus prompt chunks
 * @param prefixCaching  whether full blocks of earlier sequences are reused by prompts that start with them
 */
public record SchedulerConfig(long kvBudgetBytes, int blockSize, int maxWaiting, int maxRunning, int maxStepTokens,
                              boolean prefixCaching) {

    public static final int DEFAULT_BLOCK_SIZE = 16;

    public SchedulerConfig {
        if (kvBudgetBytes <= 0) {
            throw new IllegalArgumentException("kvBudgetBytes must be positive, was " + kvBudgetBytes);
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be at least 1, was " + blockSize);
        }
        if (maxWaiting < 0) {
            throw new IllegalArgumentException("maxWaiting must not be negative, was " + maxWaiting);
        }
        if (maxRunning < 1) {
            throw new IllegalArgumentException("maxRunning must be at least 1, was " + maxRunning);
        }
        if (maxStepTokens <= maxRunning) {
            throw new IllegalArgumentException("maxStepTokens (" + maxStepTokens + ") must exceed maxRunning ("
                    + maxRunning + ") so that prompts progress while every running sequence decodes");
        }
    }

    /** 16-position blocks, 64 waiting, 16 running, 256 rows per step, prefix caching on. */
    public static SchedulerConfig withBudget(long kvBudgetBytes) {
        return new SchedulerConfig(kvBudgetBytes, DEFAULT_BLOCK_SIZE, 64, 16, 256, true);
    }

    public SchedulerConfig withBlockSize(int size) {
        return new SchedulerConfig(kvBudgetBytes, size, maxWaiting, maxRunning, maxStepTokens, prefixCaching);
    }

    public SchedulerConfig withMaxWaiting(int waiting) {
        return new SchedulerConfig(kvBudgetBytes, blockSize, waiting, maxRunning, maxStepTokens, prefixCaching);
    }

    public SchedulerConfig withMaxRunning(int running) {
        return new SchedulerConfig(kvBudgetBytes, blockSize, maxWaiting, running, maxStepTokens, prefixCaching);
    }

    public SchedulerConfig withMaxStepTokens(int tokens) {
        return new SchedulerConfig(kvBudgetBytes, blockSize, maxWaiting, maxRunning, tokens, prefixCaching);
    }

    public SchedulerConfig withPrefixCaching(boolean enabled) {
        return new SchedulerConfig(kvBudgetBytes, blockSize, maxWaiting, maxRunning, maxStepTokens, enabled);
    }
}
