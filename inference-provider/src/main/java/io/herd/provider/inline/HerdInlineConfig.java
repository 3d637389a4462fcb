package io.herd.provider.inline;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code config} of an {@code inline::herd} provider.
 *
 * <p>Models that support batched forward passes (Llama) are served by one continuous-batching scheduler each,
 * sized by {@code kv_cache_bytes}, {@code max_running}, {@code max_waiting}, {@code max_step_tokens} and
 * {@code prefix_cache}; other models run one generation per worker, at most {@code max_concurrent_generations}
 * at once.
 *
 * @param threads       threads of each model's forward pass; 0 uses every processor
 * @param contextLength context per request, at most the model's; 0 uses the model's maximum. A batched model's
 *                      context is further bounded by what its KV cache holds
 * @param chatFormat    force a chat format ({@code llama2}, {@code llama3.1}, {@code llama3.2}); default: detected
 *                      per model (a model's {@code metadata.chat_format} overrides both)
 * @param maxConcurrentGenerations unbatched models only: generations running at once; more wait their turn
 *                      (default: processors)
 * @param kvCacheBytes  memory of each batched model's paged key/value cache; 0 (default) derives it: room for
 *                      {@value #DEFAULT_CONTEXTS_IN_CACHE} full contexts, at most {@value #DEFAULT_KV_CAP_MIB} MiB.
 *                      Each request reserves its prompt plus {@code max_tokens} positions on admission, so this
 *                      bounds how many requests run together
 * @param maxRunning    sequences decoded together in one batched step (default 16)
 * @param maxWaiting    requests that may queue for KV memory or a running slot; beyond them requests are refused
 *                      with 503 and a {@code Retry-After} (default 64)
 * @param maxStepTokens token rows per batched forward pass: decode tokens plus prompt chunks (default 256; must
 *                      exceed {@code max_running})
 * @param prefixCache   reuse the KV of earlier prompts' shared prefixes (system prompt, conversation so far;
 *                      default true)
 * @param warmup        batched models: after loading, run short generations in the background until the JIT has
 *                      compiled the forward pass (see {@link io.herd.engine.batch.JitWarmUp}), so the first requests
 *                      do not run at a fraction of full speed (default false; the distributions turn it on)
 */
public record HerdInlineConfig(
        Integer threads,
        @JsonProperty("context_length") Integer contextLength,
        @JsonProperty("chat_format") String chatFormat,
        @JsonProperty("max_concurrent_generations") Integer maxConcurrentGenerations,
        @JsonProperty("kv_cache_bytes") Long kvCacheBytes,
        @JsonProperty("max_running") Integer maxRunning,
        @JsonProperty("max_waiting") Integer maxWaiting,
        @JsonProperty("max_step_tokens") Integer maxStepTokens,
        @JsonProperty("prefix_cache") Boolean prefixCache,
        Boolean warmup) {

    static final int DEFAULT_CONTEXTS_IN_CACHE = 4;
    static final long DEFAULT_KV_CAP_MIB = 512;

    public HerdInlineConfig {
        threads = threads == null ? 0 : threads;
        contextLength = contextLength == null ? 0 : contextLength;
        maxConcurrentGenerations = maxConcurrentGenerations == null
                ? Math.max(1, Runtime.getRuntime().availableProcessors()) : maxConcurrentGenerations;
        kvCacheBytes = kvCacheBytes == null ? 0L : kvCacheBytes;
        maxRunning = maxRunning == null ? 16 : maxRunning;
        maxWaiting = maxWaiting == null ? 64 : maxWaiting;
        maxStepTokens = maxStepTokens == null ? Math.max(256, maxRunning + 1) : maxStepTokens;
        prefixCache = prefixCache == null || prefixCache;
        warmup = warmup != null && warmup;
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (all processors) or positive, got " + threads);
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("context_length must be 0 (model maximum) or positive, got " + contextLength);
        }
        if (maxConcurrentGenerations < 1) {
            throw new IllegalArgumentException("max_concurrent_generations must be positive, got " + maxConcurrentGenerations);
        }
        if (kvCacheBytes < 0) {
            throw new IllegalArgumentException("kv_cache_bytes must be 0 (derived) or positive, got " + kvCacheBytes);
        }
        if (maxRunning < 1) {
            throw new IllegalArgumentException("max_running must be positive, got " + maxRunning);
        }
        if (maxWaiting < 0) {
            throw new IllegalArgumentException("max_waiting must not be negative, got " + maxWaiting);
        }
        if (maxStepTokens <= maxRunning) {
            throw new IllegalArgumentException("max_step_tokens (" + maxStepTokens + ") must exceed max_running ("
                    + maxRunning + ") so that prompts progress while every running sequence decodes");
        }
    }

    /** The scheduler settings at their defaults. */
    public HerdInlineConfig(Integer threads, Integer contextLength, String chatFormat, Integer maxConcurrentGenerations) {
        this(threads, contextLength, chatFormat, maxConcurrentGenerations, null, null, null, null, null, null);
    }

    /** Defaults for everything. */
    public static HerdInlineConfig defaults() {
        return new HerdInlineConfig(null, null, null, null, null, null, null, null, null, null);
    }
}
