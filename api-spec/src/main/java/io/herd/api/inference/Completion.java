package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

import java.util.List;

/**
 * Answer to a text completion ({@code object: "text_completion"}). Streams send the same shape,
 * each event carrying the next piece of {@code text} (as OpenAI does).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Completion(
        String id,
        String object,
        long created,
        String model,
        List<CompletionChoice> choices,
        Usage usage,
        @JsonProperty("system_fingerprint") String systemFingerprint) {

    public static final String OBJECT = "text_completion";

    public static Completion of(String id, long created, String model, List<CompletionChoice> choices, Usage usage) {
        return new Completion(id, OBJECT, created, model, List.copyOf(choices), usage, null);
    }

    public Completion withModel(String newModel) {
        return new Completion(id, object, created, newModel, choices, usage, systemFingerprint);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CompletionChoice(
            int index,
            String text,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("finish_reason") String finishReason,
            @JsonInclude(JsonInclude.Include.ALWAYS) JsonNode logprobs) {

        public CompletionChoice(int index, String text, String finishReason) {
            this(index, text, finishReason, null);
        }
    }
}
