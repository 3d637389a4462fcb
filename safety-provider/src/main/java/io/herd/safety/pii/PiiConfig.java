package io.herd.safety.pii;

import io.herd.api.inference.Role;
import io.herd.safety.ConfigMaps;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Configuration of {@code inline::pii}:
 * <pre>{@code
 * config:
 *   actions: { email: redact, credit_card: block, secret: block }   # per category: block | redact | allow
 *   entropy_threshold: 3.6                                          # bits per character for unlabelled secrets
 *   roles: [user, tool, assistant]                                  # whose messages are scanned
 * }</pre>
 * Categories left out of {@code actions} use the default: {@code block} for secrets, {@code redact} for the rest.
 */
public record PiiConfig(Map<PiiCategory, PiiAction> actions, double entropyThreshold, Set<Role> roles, String userMessage) {

    public static final String DEFAULT_USER_MESSAGE =
            "Your message contains sensitive data (%s) that cannot be processed. Please remove it and try again.";

    public PiiConfig {
        EnumMap<PiiCategory, PiiAction> complete = new EnumMap<>(PiiCategory.class);
        for (PiiCategory category : PiiCategory.values()) {
            complete.put(category, category == PiiCategory.SECRET ? PiiAction.BLOCK : PiiAction.REDACT);
        }
        complete.putAll(actions);
        actions = Map.copyOf(complete);
        roles = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
        if (!(entropyThreshold > 0 && entropyThreshold <= 8)) {
            throw new IllegalArgumentException("inline::pii config: entropy_threshold must be in (0, 8] bits per character");
        }
        userMessage = userMessage == null || userMessage.isBlank() ? DEFAULT_USER_MESSAGE : userMessage;
    }

    public static PiiConfig defaults() {
        return new PiiConfig(Map.of(), PiiDetector.DEFAULT_ENTROPY_THRESHOLD, EnumSet.of(Role.USER, Role.TOOL, Role.ASSISTANT), null);
    }

    public static PiiConfig fromMap(Map<String, ?> config) {
        String type = PiiSafetyProvider.PROVIDER_TYPE;
        ConfigMaps.requireKnownKeys(type, config, Set.of("actions", "entropy_threshold", "roles", "user_message"));
        Map<PiiCategory, PiiAction> actions = new EnumMap<>(PiiCategory.class);
        ConfigMaps.map(type, config, "actions").forEach((key, value) -> {
            try {
                actions.put(PiiCategory.fromConfigName(key), PiiAction.fromConfig(String.valueOf(value)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(type + " config: actions." + key + ": " + e.getMessage(), e);
            }
        });
        EnumSet<Role> roles = EnumSet.noneOf(Role.class);
        for (String role : ConfigMaps.strings(type, config, "roles", java.util.List.of("user", "tool", "assistant"))) {
            try {
                roles.add(Role.valueOf(role.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(type + " config: roles: unknown role '" + role
                        + "' (system, developer, user, assistant, tool)");
            }
        }
        return new PiiConfig(actions, ConfigMaps.number(type, config, "entropy_threshold", PiiDetector.DEFAULT_ENTROPY_THRESHOLD),
                roles, ConfigMaps.string(config, "user_message", null));
    }

    /** Categories whose action is not {@code allow}: the detector skips the rest. */
    public Set<PiiCategory> checkedCategories() {
        EnumSet<PiiCategory> checked = EnumSet.noneOf(PiiCategory.class);
        actions.forEach((category, action) -> {
            if (action != PiiAction.ALLOW) {
                checked.add(category);
            }
        });
        return checked;
    }
}
