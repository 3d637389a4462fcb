package io.herd.safety.promptguard;

import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Role;
import io.herd.api.safety.RunShieldResponse;
import io.herd.api.safety.SafetyProvider;
import io.herd.api.safety.SafetyViolation;
import io.herd.api.safety.Shield;
import io.herd.safety.ShieldSupport;
import io.herd.safety.metrics.ShieldMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * {@code inline::prompt-guard}: flags prompt injection and jailbreak attempts in what users and tools put into the
 * conversation. System and assistant messages are the operator's and the model's own words and are not scanned.
 * With {@code guard_type: jailbreak} only user messages are scanned, as in Llama Stack.
 */
public final class PromptGuardSafetyProvider implements SafetyProvider {

    public static final String PROVIDER_TYPE = "inline::prompt-guard";

    private final PromptGuardConfig config;
    private final InjectionScorer scorer;
    private final ShieldSupport support;

    public PromptGuardSafetyProvider(String providerId, PromptGuardConfig config, InjectionScorer scorer, ShieldMetrics metrics) {
        this.config = config;
        this.scorer = scorer;
        this.support = new ShieldSupport(providerId, metrics);
    }

    @Override
    public void registerShield(Shield shield) {
        support.register(shield);
    }

    @Override
    public Mono<RunShieldResponse> runShield(String shieldId, List<ChatMessage> messages, Map<String, Object> params) {
        return support.timed(shieldId, () -> check(messages), r -> List.of(violationType()));
    }

    private RunShieldResponse check(List<ChatMessage> messages) {
        InjectionScore worst = InjectionScore.CLEAN;
        int worstIndex = -1;
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            if (!scanned(message.role())) {
                continue;
            }
            InjectionScore score = scorer.score(ShieldSupport.textOf(message));
            if (score.probability() > worst.probability()) {
                worst = score;
                worstIndex = i;
            }
        }
        if (worst.probability() < config.threshold()) {
            return RunShieldResponse.PASSED;
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("violation_type", violationType());
        metadata.put("score", Math.round(worst.probability() * 1000) / 1000.0);
        metadata.put("message_index", worstIndex);
        metadata.put("signals", worst.signals().stream().filter(s -> s.weight() > 0).map(InjectionScore.Signal::feature).toList());
        return RunShieldResponse.of(SafetyViolation.error(config.userMessage(), metadata));
    }

    private boolean scanned(Role role) {
        if ("jailbreak".equals(config.guardType())) {
            return role == Role.USER;
        }
        return role == Role.USER || role == Role.TOOL;
    }

    private String violationType() {
        return "jailbreak".equals(config.guardType()) ? "jailbreak" : "prompt_injection";
    }
}
