package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.herd.api.common.InvalidRequestException;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/chat/completions} body (OpenAI / Llama Stack {@code OpenAIChatCompletionRequestWithExtraBody}).
 * Fields a client leaves out are null. Unknown fields are kept in {@link #extra()} and written back
 * when the request is forwarded, so provider-specific options reach a remote server.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionRequest(
        String model,
        List<ChatMessage> messages,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        Long seed,
        Integer n,
        Boolean logprobs,
        @JsonProperty("top_logprobs") Integer topLogprobs,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("presence_penalty") Double presencePenalty,
        @JsonProperty("logit_bias") Map<String, Double> logitBias,
        List<Tool> tools,
        @JsonProperty("tool_choice") JsonNode toolChoice,
        @JsonProperty("parallel_tool_calls") Boolean parallelToolCalls,
        @JsonProperty("response_format") ResponseFormat responseFormat,
        String user,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

    public ChatCompletionRequest {
        extra = extra == null ? new LinkedHashMap<>() : extra;
    }

    public boolean isStream() {
        return Boolean.TRUE.equals(stream);
    }

    /** {@code max_completion_tokens} when given, else {@code max_tokens}; null when neither is set. */
    public Integer effectiveMaxTokens() {
        return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
    }

    /** Stop sequences, never null. */
    public List<String> stopSequences() {
        return stop == null ? List.of() : stop;
    }

    /** The same request addressed to another model id, e.g. the provider's own name for the model. */
    public ChatCompletionRequest withModel(String newModel) {
        return toBuilder().model(newModel).build();
    }

    /**
     * Checks the value constraints of the OpenAI API that the type system cannot express.
     *
     * @throws InvalidRequestException naming the first offending field
     */
    public ChatCompletionRequest validate() {
        RequestChecks.requireText(model, "model");
        if (messages == null || messages.isEmpty()) {
            throw new InvalidRequestException("'messages' must be a non-empty array", "messages");
        }
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            String at = "messages[" + i + "]";
            if (m == null) {
                throw new InvalidRequestException(at + " must be an object", at);
            }
            if (m.role() == null) {
                throw new InvalidRequestException(at + ".role is required (system, developer, user, assistant or tool)", at + ".role");
            }
            boolean hasToolCalls = m.toolCalls() != null && !m.toolCalls().isEmpty();
            if (m.content() == null && !(m.role() == Role.ASSISTANT && hasToolCalls)) {
                throw new InvalidRequestException(at + ".content is required", at + ".content");
            }
            if (m.role() == Role.TOOL && (m.toolCallId() == null || m.toolCallId().isBlank())) {
                throw new InvalidRequestException(at + ".tool_call_id is required for a tool message", at + ".tool_call_id");
            }
        }
        RequestChecks.checkSampling(temperature, topP, frequencyPenalty, presencePenalty, n, seed);
        RequestChecks.checkPositive(maxTokens, "max_tokens");
        RequestChecks.checkPositive(maxCompletionTokens, "max_completion_tokens");
        if (topLogprobs != null && (topLogprobs < 0 || topLogprobs > 20)) {
            throw new InvalidRequestException("'top_logprobs' must be between 0 and 20, got " + topLogprobs, "top_logprobs");
        }
        RequestChecks.checkStop(stop);
        if (tools != null) {
            for (int i = 0; i < tools.size(); i++) {
                Tool t = tools.get(i);
                if (t == null || t.function() == null || t.function().name() == null || t.function().name().isBlank()) {
                    throw new InvalidRequestException("tools[" + i + "].function.name is required", "tools[" + i + "].function.name");
                }
            }
        }
        return this;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.model = model;
        b.messages = messages;
        b.temperature = temperature;
        b.topP = topP;
        b.maxTokens = maxTokens;
        b.maxCompletionTokens = maxCompletionTokens;
        b.stop = stop;
        b.stream = stream;
        b.streamOptions = streamOptions;
        b.seed = seed;
        b.n = n;
        b.logprobs = logprobs;
        b.topLogprobs = topLogprobs;
        b.frequencyPenalty = frequencyPenalty;
        b.presencePenalty = presencePenalty;
        b.logitBias = logitBias;
        b.tools = tools;
        b.toolChoice = toolChoice;
        b.parallelToolCalls = parallelToolCalls;
        b.responseFormat = responseFormat;
        b.user = user;
        b.extra = new LinkedHashMap<>(extra);
        return b;
    }

    /** Builder for code that calls providers directly (shields, agents, tests). */
    public static final class Builder {
        private String model;
        private List<ChatMessage> messages;
        private Double temperature;
        private Double topP;
        private Integer maxTokens;
        private Integer maxCompletionTokens;
        private List<String> stop;
        private Boolean stream;
        private StreamOptions streamOptions;
        private Long seed;
        private Integer n;
        private Boolean logprobs;
        private Integer topLogprobs;
        private Double frequencyPenalty;
        private Double presencePenalty;
        private Map<String, Double> logitBias;
        private List<Tool> tools;
        private JsonNode toolChoice;
        private Boolean parallelToolCalls;
        private ResponseFormat responseFormat;
        private String user;
        private Map<String, Object> extra = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder model(String v) { model = v; return this; }
        public Builder messages(List<ChatMessage> v) { messages = v; return this; }
        public Builder messages(ChatMessage... v) { messages = List.of(v); return this; }
        public Builder temperature(Double v) { temperature = v; return this; }
        public Builder topP(Double v) { topP = v; return this; }
        public Builder maxTokens(Integer v) { maxTokens = v; return this; }
        public Builder maxCompletionTokens(Integer v) { maxCompletionTokens = v; return this; }
        public Builder stop(List<String> v) { stop = v; return this; }
        public Builder stream(Boolean v) { stream = v; return this; }
        public Builder streamOptions(StreamOptions v) { streamOptions = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder n(Integer v) { n = v; return this; }
        public Builder logprobs(Boolean v) { logprobs = v; return this; }
        public Builder topLogprobs(Integer v) { topLogprobs = v; return this; }
        public Builder frequencyPenalty(Double v) { frequencyPenalty = v; return this; }
        public Builder presencePenalty(Double v) { presencePenalty = v; return this; }
        public Builder logitBias(Map<String, Double> v) { logitBias = v; return this; }
        public Builder tools(List<Tool> v) { tools = v; return this; }
        public Builder toolChoice(JsonNode v) { toolChoice = v; return this; }
        public Builder parallelToolCalls(Boolean v) { parallelToolCalls = v; return this; }
        public Builder responseFormat(ResponseFormat v) { responseFormat = v; return this; }
        public Builder user(String v) { user = v; return this; }
        public Builder extra(String key, Object value) { extra.put(key, value); return this; }

        public ChatCompletionRequest build() {
            return new ChatCompletionRequest(model, messages, temperature, topP, maxTokens, maxCompletionTokens, stop,
                    stream, streamOptions, seed, n, logprobs, topLogprobs, frequencyPenalty, presencePenalty, logitBias,
                    tools, toolChoice, parallelToolCalls, responseFormat, user, extra);
        }
    }
}
