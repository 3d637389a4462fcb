package io.herd.safety;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Small helpers for reading a provider's {@code config} block with errors that name the key. */
public final class ConfigMaps {

    private ConfigMaps() {
    }

    /** @throws IllegalArgumentException naming an unknown key, so a typo is reported instead of ignored */
    public static void requireKnownKeys(String providerType, Map<String, ?> config, Set<String> known) {
        for (String key : config.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(providerType + " config: unknown key '" + key + "' (known: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    public static double number(String providerType, Map<String, ?> config, String key, double fallback) {
        Object value = config.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(providerType + " config: '" + key + "' must be a number, got '" + value + "'");
        }
    }

    public static String string(Map<String, ?> config, String key, String fallback) {
        Object value = config.get(key);
        return value == null ? fallback : value.toString();
    }

    public static List<String> strings(String providerType, Map<String, ?> config, String key, List<String> fallback) {
        Object value = config.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(String.valueOf(v)));
            return out;
        }
        if (value instanceof String s) {
            return s.isBlank() ? List.of() : List.of(s.split("\\s*,\\s*"));
        }
        throw new IllegalArgumentException(providerType + " config: '" + key + "' must be a list, got '" + value + "'");
    }

    public static Map<String, ?> map(String providerType, Map<String, ?> config, String key) {
        Object value = config.get(key);
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, ?> typed = (Map<String, ?>) m;
            return typed;
        }
        throw new IllegalArgumentException(providerType + " config: '" + key + "' must be a mapping, got '" + value + "'");
    }
}
