package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

import java.util.List;

/** Non-streaming answer to a chat completion request ({@code object: "chat.completion"}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletion(
        String id,
        String object,
        long created,
        String model,
        List<Choice> choices,
        Usage usage,
        @JsonProperty("system_fingerprint") String systemFingerprint) {

    public static final String OBJECT = "chat.completion";

    public static ChatCompletion of(String id, long created, String model, List<Choice> choices, Usage usage) {
        return new ChatCompletion(id, OBJECT, created, model, List.copyOf(choices), usage, null);
    }

    public ChatCompletion withModel(String newModel) {
        return new ChatCompletion(id, object, created, newModel, choices, usage, systemFingerprint);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Choice(
            int index,
            ChatMessage message,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("finish_reason") String finishReason,
            JsonNode logprobs) {

        public Choice(int index, ChatMessage message, String finishReason) {
            this(index, message, finishReason, null);
        }
    }
}
