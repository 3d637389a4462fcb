package io.herd.engine.batch;

import io.herd.engine.generate.Delta;

/**
 * Receives a generation's output as the scheduler produces it. Called on the scheduler thread, in order:
 * implementations must return quickly and never block (hand the delta to a queue or a reactive sink).
 */
public interface GenerationListener {

    /**
     * A piece of output (never empty, except possibly the last); the one with a finish reason is the last
     * call. Tokens whose text is held back (a possible stop string, an incomplete character) produce no call.
     */
    void onDelta(Delta delta);

    /** The generation failed (e.g. the forward pass threw); no further calls follow. */
    default void onError(Throwable error) {
    }
}
