package io.herd.gateway.safety;

import io.herd.api.safety.ViolationLevel;
import io.herd.safety.metrics.ShieldMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;

/**
 * Exports what the shields report to Micrometer (scraped at {@code /actuator/prometheus}):
 * <ul>
 *   <li>{@code herd.shield.checks} (counter; tags {@code shield}, {@code result}: passed, info, warn, error)</li>
 *   <li>{@code herd.shield.violations} (counter; tags {@code shield}, {@code level}, {@code category}; one per
 *       category found)</li>
 *   <li>{@code herd.shield.latency} (timer; tag {@code shield})</li>
 *   <li>{@code herd.shield.errors} (counter; tags {@code shield}, {@code error}: checks that failed to run)</li>
 * </ul>
 */
final class MicrometerShieldMetrics implements ShieldMetrics {

    static final String CHECKS = "herd.shield.checks";
    static final String VIOLATIONS = "herd.shield.violations";
    static final String LATENCY = "herd.shield.latency";
    static final String ERRORS = "herd.shield.errors";

    private final MeterRegistry registry;

    MicrometerShieldMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void recordCheck(String shieldId, Duration latency, ViolationLevel level, Collection<String> categories) {
        String result = level == null ? "passed" : level.name().toLowerCase(Locale.ROOT);
        Counter.builder(CHECKS).description("Shield checks run").tag("shield", shieldId).tag("result", result)
                .register(registry).increment();
        Timer.builder(LATENCY).description("Time one shield check took").tag("shield", shieldId)
                .register(registry).record(latency);
        if (level != null) {
            for (String category : categories.isEmpty() ? java.util.List.of("unspecified") : categories) {
                Counter.builder(VIOLATIONS).description("Violations found, per category").tag("shield", shieldId)
                        .tag("level", result).tag("category", category).register(registry).increment();
            }
        }
    }

    @Override
    public void recordError(String shieldId, Throwable error) {
        Counter.builder(ERRORS).description("Shield checks that failed to run").tag("shield", shieldId)
                .tag("error", error.getClass().getSimpleName()).register(registry).increment();
    }
}
