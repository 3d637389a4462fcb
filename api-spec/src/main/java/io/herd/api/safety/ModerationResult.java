package io.herd.api.safety;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One input's verdict. Category keys are the shield's own names (Llama Guard's "Violent Crimes", …), as Llama Stack
 * returns them, not OpenAI's.
 */
public record ModerationResult(
        @JsonProperty("flagged") boolean flagged,
        @JsonProperty("categories") Map<String, Boolean> categories,
        @JsonProperty("category_applied_input_types") Map<String, List<String>> categoryAppliedInputTypes,
        @JsonProperty("category_scores") Map<String, Double> categoryScores,
        @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("user_message") String userMessage,
        @JsonProperty("metadata") Map<String, Object> metadata) {

    public ModerationResult {
        categories = ordered(categories);
        categoryAppliedInputTypes = ordered(categoryAppliedInputTypes);
        categoryScores = ordered(categoryScores);
        metadata = ordered(metadata);
    }

    private static <V> Map<String, V> ordered(Map<String, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
