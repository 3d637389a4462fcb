package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

import java.util.List;

/**
 * One server-sent event of a streaming chat completion ({@code object: "chat.completion.chunk"}).
 * All chunks of a stream share {@code id}, {@code created} and {@code model}. With
 * {@code stream_options.include_usage} the last chunk has empty {@code choices} and carries {@code usage}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionChunk(
        String id,
        String object,
        long created,
        String model,
        List<ChunkChoice> choices,
        Usage usage,
        @JsonProperty("system_fingerprint") String systemFingerprint) {

    public static final String OBJECT = "chat.completion.chunk";

    public static ChatCompletionChunk of(String id, long created, String model, ChunkChoice choice) {
        return new ChatCompletionChunk(id, OBJECT, created, model, List.of(choice), null, null);
    }

    /** The final usage-only chunk sent when the client asked for {@code stream_options.include_usage}. */
    public static ChatCompletionChunk usageOnly(String id, long created, String model, Usage usage) {
        return new ChatCompletionChunk(id, OBJECT, created, model, List.of(), usage, null);
    }

    public ChatCompletionChunk withModel(String newModel) {
        return new ChatCompletionChunk(id, object, created, newModel, choices, usage, systemFingerprint);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ChunkChoice(
            int index,
            Delta delta,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("finish_reason") String finishReason,
            JsonNode logprobs) {

        public ChunkChoice(int index, Delta delta, String finishReason) {
            this(index, delta, finishReason, null);
        }
    }

    /** What a chunk adds to the message: the role (first chunk), a piece of text, or tool call fragments. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Delta(
            Role role,
            String content,
            @JsonProperty("tool_calls") List<ToolCall> toolCalls,
            String refusal,
            @JsonProperty("reasoning_content") String reasoningContent) {

        public static Delta role(Role role) {
            return new Delta(role, null, null, null, null);
        }

        public static Delta content(String text) {
            return new Delta(null, text, null, null, null);
        }

        public static Delta toolCalls(List<ToolCall> calls) {
            return new Delta(null, null, List.copyOf(calls), null, null);
        }

        public static Delta empty() {
            return new Delta(null, null, null, null, null);
        }
    }
}
