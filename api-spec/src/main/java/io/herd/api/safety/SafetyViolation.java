package io.herd.api.safety;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A shield's finding, in the Llama Stack wire shape
 * {@code {violation_level, user_message, metadata}}.
 *
 * @param userMessage what the end user is shown instead of an answer when the violation blocks
 * @param metadata    shield-specific details, e.g. Llama Guard's {@code violation_type: "S1,S10"}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SafetyViolation(
        @JsonProperty("violation_level") ViolationLevel violationLevel,
        @JsonProperty("user_message") String userMessage,
        @JsonProperty("metadata") Map<String, Object> metadata) {

    public SafetyViolation {
        Objects.requireNonNull(violationLevel, "violation_level");
        metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public static SafetyViolation error(String userMessage, Map<String, Object> metadata) {
        return new SafetyViolation(ViolationLevel.ERROR, userMessage, metadata);
    }

    public static SafetyViolation warn(String userMessage, Map<String, Object> metadata) {
        return new SafetyViolation(ViolationLevel.WARN, userMessage, metadata);
    }

    public static SafetyViolation info(String userMessage, Map<String, Object> metadata) {
        return new SafetyViolation(ViolationLevel.INFO, userMessage, metadata);
    }
}
