package io.herd.engine.model;

/**
 * Per-sequence mutable state of a forward pass: activations and the KV cache, sized for
 * the context the caller asked for (not necessarily the model maximum).
 */
public interface ModelState extends AutoCloseable {

    /** Number of positions this state's KV cache holds. */
    int contextLength();

    @Override
    default void close() {
    }
}
