package io.herd.gateway.safety;

import io.herd.api.inference.ChatMessage;
import io.herd.api.safety.RunShieldResponse;
import io.herd.api.safety.SafetyViolation;
import io.herd.api.safety.ViolationLevel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreakerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs a set of shields on the same messages in parallel, each behind its own circuit breaker and timeout, and
 * combines their answers. A shield that fails, times out or whose breaker is open counts as a blocking violation
 * unless the policy fails open: an unavailable check must not let content through silently.
 */
public final class ShieldRunner {

    private static final Logger log = LoggerFactory.getLogger(ShieldRunner.class);
    public static final String UNAVAILABLE_MESSAGE = "The request could not be checked for safety right now. Please try again later.";

    private final SafetyRegistry registry;
    private final ReactiveCircuitBreakerFactory<?, ?> breakers;
    private final Duration timeout;
    private final boolean failOpen;

    public ShieldRunner(SafetyRegistry registry, ReactiveCircuitBreakerFactory<?, ?> breakers, Duration timeout, boolean failOpen) {
        this.registry = registry;
        this.breakers = breakers;
        this.timeout = timeout;
        this.failOpen = failOpen;
    }

    /** What a set of shields decided about some messages. */
    public record Verdict(String blockingShield, SafetyViolation blocking, List<String> warnings, List<ChatMessage> redacted) {

        static final Verdict PASSED = new Verdict(null, null, List.of(), null);

        public boolean blocks() {
            return blocking != null;
        }
    }

    public Mono<Verdict> run(List<String> shieldIds, List<ChatMessage> messages) {
        if (shieldIds.isEmpty()) {
            return Mono.just(Verdict.PASSED);
        }
        return Flux.fromIterable(shieldIds)
                .flatMapSequential(id -> runOne(id, messages).map(r -> Map.entry(id, r)))
                .collectList()
                .map(ShieldRunner::combine);
    }

    private Mono<RunShieldResponse> runOne(String shieldId, List<ChatMessage> messages) {
        SafetyRegistry.ShieldEntry entry = registry.shield(shieldId).orElseThrow();
        Mono<RunShieldResponse> check = Mono.defer(() -> entry.provider().runShield(shieldId, messages, Map.of()))
                .timeout(timeout);
        return breakers.create("shield-" + shieldId).run(check, error -> {
            log.warn("Shield {} failed ({}); failing {}", shieldId, error.toString(), failOpen ? "open" : "closed");
            if (failOpen) {
                return Mono.just(RunShieldResponse.PASSED);
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("violation_type", "shield_unavailable");
            metadata.put("error", error.getClass().getSimpleName());
            return Mono.just(RunShieldResponse.of(SafetyViolation.error(UNAVAILABLE_MESSAGE, metadata)));
        });
    }

    private static Verdict combine(List<Map.Entry<String, RunShieldResponse>> results) {
        String blockingShield = null;
        SafetyViolation blocking = null;
        List<String> warnings = new ArrayList<>();
        List<ChatMessage> redacted = null;
        for (Map.Entry<String, RunShieldResponse> result : results) {
            RunShieldResponse response = result.getValue();
            SafetyViolation violation = response.violation();
            if (violation != null && violation.violationLevel() == ViolationLevel.ERROR && blocking == null) {
                blocking = violation;
                blockingShield = result.getKey();
            } else if (violation != null && violation.violationLevel() == ViolationLevel.WARN) {
                Object type = violation.metadata().get("violation_type");
                warnings.add(result.getKey() + (type == null ? "" : ":" + type));
            }
            if (response.redactedMessages() != null && redacted == null) {
                redacted = response.redactedMessages();
            }
        }
        return new Verdict(blockingShield, blocking, List.copyOf(warnings), redacted);
    }
}
