package io.herd.safety.promptguard;

import java.util.Map;

/**
 * Configuration of {@code inline::prompt-guard}.
 *
 * @param threshold   probability at or above which a message is a violation
 * @param guardType   {@code injection} (user and tool content) or {@code jailbreak} (user content only), as in Llama Stack
 * @param userMessage shown to the user on a violation
 */
public record PromptGuardConfig(double threshold, String guardType, String userMessage) {

    public static final double DEFAULT_THRESHOLD = 0.5;
    public static final String DEFAULT_USER_MESSAGE = "Sorry, I cannot do this.";

    public PromptGuardConfig {
        if (!(threshold > 0.0 && threshold <= 1.0)) {
            throw new IllegalArgumentException("prompt-guard threshold must be in (0, 1], got " + threshold);
        }
        if (!"injection".equals(guardType) && !"jailbreak".equals(guardType)) {
            throw new IllegalArgumentException("prompt-guard guard_type must be 'injection' or 'jailbreak', got '" + guardType + "'");
        }
        if (userMessage == null || userMessage.isBlank()) {
            userMessage = DEFAULT_USER_MESSAGE;
        }
    }

    public static PromptGuardConfig defaults() {
        return new PromptGuardConfig(DEFAULT_THRESHOLD, "injection", DEFAULT_USER_MESSAGE);
    }

    public static PromptGuardConfig fromMap(Map<String, ?> config) {
        io.herd.safety.ConfigMaps.requireKnownKeys(PromptGuardSafetyProvider.PROVIDER_TYPE, config,
                java.util.Set.of("threshold", "guard_type", "user_message"));
        Object threshold = config.get("threshold");
        Object guardType = config.get("guard_type");
        Object userMessage = config.get("user_message");
        return new PromptGuardConfig(threshold == null ? DEFAULT_THRESHOLD : toDouble("threshold", threshold),
                guardType == null ? "injection" : guardType.toString(),
                userMessage == null ? null : userMessage.toString());
    }

    private static double toDouble(String key, Object value) {
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        try {
            return Double.parseDouble(value.toString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prompt-guard " + key + " must be a number, got '" + value + "'");
        }
    }
}
