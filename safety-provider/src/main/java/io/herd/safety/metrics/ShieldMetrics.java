package io.herd.safety.metrics;

import io.herd.api.safety.ViolationLevel;
import java.time.Duration;
import java.util.Collection;

/**
 * Hook through which shields report what they did; the gateway exports it (e.g. to Micrometer). Implementations
 * must be thread-safe and cheap: they are called on every check.
 */
public interface ShieldMetrics {

    /**
     * One completed check.
     *
     * @param categories what was found (e.g. {@code email}, {@code S1}, {@code prompt_injection}); empty when the check passed
     * @param level      the violation level, or null when the check passed
     */
    void recordCheck(String shieldId, Duration latency, ViolationLevel level, Collection<String> categories);

    /** A check that failed to run (provider error, timeout). */
    void recordError(String shieldId, Throwable error);

    ShieldMetrics NOOP = new ShieldMetrics() {
        @Override
        public void recordCheck(String shieldId, Duration latency, ViolationLevel level, Collection<String> categories) {
        }

        @Override
        public void recordError(String shieldId, Throwable error) {
        }
    };
}
