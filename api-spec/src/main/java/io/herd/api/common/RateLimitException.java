package io.herd.api.common;

import java.time.Duration;

/** 429: this client sent more requests than its rate limit allows; retry after {@link #retryAfter()}. */
public final class RateLimitException extends HerdException {

    private final Duration retryAfter;

    public RateLimitException(String message, Duration retryAfter) {
        super(429, "rate_limit_error", "rate_limit_exceeded", null, message, null);
        this.retryAfter = retryAfter;
    }

    @Override
    public Duration retryAfter() {
        return retryAfter;
    }
}
