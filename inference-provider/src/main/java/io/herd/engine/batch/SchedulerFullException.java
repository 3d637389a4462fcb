package io.herd.engine.batch;

import java.time.Duration;

/**
 * The scheduler's waiting queue is full: the request was not accepted. {@link #retryAfter()} estimates
 * when a slot will be free (HTTP callers send it as {@code 503} with {@code Retry-After}).
 */
public final class SchedulerFullException extends RuntimeException {

    private final Duration retryAfter;

    public SchedulerFullException(int waiting, Duration retryAfter) {
        super("the engine is at capacity: " + waiting + " requests are already waiting; retry after "
                + retryAfter.toSeconds() + " s");
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
