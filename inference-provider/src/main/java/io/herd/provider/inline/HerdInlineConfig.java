package io.herd.provider.inline;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code config} of an {@code inline::herd} provider.
 *
 * @param threads       threads of each model's forward pass; 0 uses every processor
 * @param contextLength context per request, at most the model's; 0 uses the model's maximum
 * @param chatFormat    force a chat format ({@code llama2}, {@code llama3.1}, {@code llama3.2}); default: detected
 *                      per model (a model's {@code metadata.chat_format} overrides both)
 * @param maxConcurrentGenerations generations running at once; more wait their turn (default: processors)
 */
public record HerdInlineConfig(
        Integer threads,
        @JsonProperty("context_length") Integer contextLength,
        @JsonProperty("chat_format") String chatFormat,
        @JsonProperty("max_concurrent_generations") Integer maxConcurrentGenerations) {

    public HerdInlineConfig {
        threads = threads == null ? 0 : threads;
        contextLength = contextLength == null ? 0 : contextLength;
        maxConcurrentGenerations = maxConcurrentGenerations == null
                ? Math.max(1, Runtime.getRuntime().availableProcessors()) : maxConcurrentGenerations;
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (all processors) or positive, got " + threads);
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("context_length must be 0 (model maximum) or positive, got " + contextLength);
        }
        if (maxConcurrentGenerations < 1) {
            throw new IllegalArgumentException("max_concurrent_generations must be positive, got " + maxConcurrentGenerations);
        }
    }
}
