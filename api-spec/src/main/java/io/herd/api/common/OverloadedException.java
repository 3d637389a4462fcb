package io.herd.api.common;

import java.time.Duration;

/** 503: the server or a provider is at capacity (rate limit, open circuit, full queue); retry after a while. */
public final class OverloadedException extends HerdException {

    private final Duration retryAfter;

    public OverloadedException(String message, Duration retryAfter) {
        super(503, "overloaded_error", "overloaded", null, message, null);
        this.retryAfter = retryAfter;
    }

    @Override
    public Duration retryAfter() {
        return retryAfter;
    }
}
