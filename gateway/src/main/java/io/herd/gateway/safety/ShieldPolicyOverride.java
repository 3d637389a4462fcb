package io.herd.gateway.safety;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's own shield lists, from {@code registered_resources.models[].metadata.shield_policy}; a list left out
 * keeps the global one.
 */
record ShieldPolicyOverride(List<String> inputShields, List<String> outputShields) {

    static Optional<ShieldPolicyOverride> of(Map<String, Object> metadata) {
        if (metadata == null || !(metadata.get("shield_policy") instanceof Map<?, ?> policy)) {
            return Optional.empty();
        }
        return Optional.of(new ShieldPolicyOverride(list(policy.get("input_shields")), list(policy.get("output_shields"))));
    }

    private static List<String> list(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(value));
    }
}
