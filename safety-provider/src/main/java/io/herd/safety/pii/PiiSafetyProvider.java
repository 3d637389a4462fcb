package io.herd.safety.pii;

import io.herd.api.inference.ChatMessage;
import io.herd.api.safety.RunShieldResponse;
import io.herd.api.safety.SafetyProvider;
import io.herd.api.safety.SafetyViolation;
import io.herd.api.safety.Shield;
import io.herd.safety.ShieldSupport;
import io.herd.safety.metrics.ShieldMetrics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import reactor.core.publisher.Mono;

/**
 * {@code inline::pii}: finds personal data and secrets and, per category, blocks the request or redacts the value.
 * <ul>
 *   <li>Any {@code block} category found: violation at level {@code error}; metadata names the categories and counts,
 *       never the values.</li>
 *   <li>Only {@code redact} categories found: violation at level {@code info} (nothing is refused) and
 *       {@code redacted_messages} carries the messages with values replaced by {@code [REDACTED_<CATEGORY>]}, which
 *       the gateway forwards instead of the originals.</li>
 * </ul>
 */
public final class PiiSafetyProvider implements SafetyProvider {

    public static final String PROVIDER_TYPE = "inline::pii";

    private final PiiConfig config;
    private final PiiDetector detector;
    private final ShieldSupport support;

    public PiiSafetyProvider(String providerId, PiiConfig config, ShieldMetrics metrics) {
        this.config = config;
        this.detector = new PiiDetector(config.checkedCategories(), config.entropyThreshold());
        this.support = new ShieldSupport(providerId, metrics);
    }

    @Override
    public void registerShield(Shield shield) {
        support.register(shield);
    }

    @Override
    public Mono<RunShieldResponse> runShield(String shieldId, List<ChatMessage> messages, Map<String, Object> params) {
        return support.timed(shieldId, () -> check(messages), PiiSafetyProvider::categoriesOf);
    }

    private RunShieldResponse check(List<ChatMessage> messages) {
        Map<PiiCategory, Integer> blocked = new EnumMap<>(PiiCategory.class);
        Map<PiiCategory, Integer> redacted = new EnumMap<>(PiiCategory.class);
        List<ChatMessage> rewritten = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            if (!config.roles().contains(message.role())) {
                rewritten.add(message);
                continue;
            }
            rewritten.add(ShieldSupport.rewriteText(message, text -> {
                List<PiiMatch> matches = detector.detect(text);
                List<PiiMatch> toRedact = new ArrayList<>(matches.size());
                for (PiiMatch match : matches) {
                    PiiAction action = config.actions().get(match.category());
                    if (action == PiiAction.BLOCK) {
                        blocked.merge(match.category(), 1, Integer::sum);
                    } else if (action == PiiAction.REDACT) {
                        redacted.merge(match.category(), 1, Integer::sum);
                        toRedact.add(match);
                    }
                }
                return PiiRedactor.redact(text, toRedact);
            }));
        }
        if (!blocked.isEmpty()) {
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("violation_type", String.join(",", names(blocked.keySet())));
            metadata.put("counts", counts(blocked));
            String message = config.userMessage().contains("%s")
                    ? config.userMessage().formatted(String.join(", ", names(blocked.keySet()))) : config.userMessage();
            return RunShieldResponse.of(SafetyViolation.error(message, metadata));
        }
        if (!redacted.isEmpty()) {
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("violation_type", String.join(",", names(redacted.keySet())));
            metadata.put("redacted", counts(redacted));
            return new RunShieldResponse(SafetyViolation.info("Sensitive data was redacted before processing.", metadata), rewritten);
        }
        return RunShieldResponse.PASSED;
    }

    private static List<String> names(Collection<PiiCategory> categories) {
        return categories.stream().map(PiiCategory::configName).toList();
    }

    private static Map<String, Object> counts(Map<PiiCategory, Integer> counts) {
        Map<String, Object> out = new LinkedHashMap<>();
        counts.forEach((category, count) -> out.put(category.configName(), count));
        return out;
    }

    private static Collection<String> categoriesOf(RunShieldResponse response) {
        Object type = response.violation().metadata().get("violation_type");
        return type == null ? List.of() : new TreeSet<>(List.of(type.toString().split(",")));
    }
}
