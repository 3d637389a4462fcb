package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.herd.api.common.InvalidRequestException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code POST /v1/completions} body (legacy OpenAI text completion). Unknown fields are kept in {@link #extra()}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompletionRequest(
        String model,
        Prompt prompt,
        @JsonProperty("best_of") Integer bestOf,
        Boolean echo,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("logit_bias") Map<String, Double> logitBias,
        Integer logprobs,
        @JsonProperty("max_tokens") Integer maxTokens,
        Integer n,
        @JsonProperty("presence_penalty") Double presencePenalty,
        Long seed,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        String user,
        String suffix,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

    public CompletionRequest {
        extra = extra == null ? new LinkedHashMap<>() : extra;
    }

    /** A plain request: one prompt, defaults for everything else. */
    public static CompletionRequest of(String model, String prompt, Integer maxTokens, Double temperature) {
        return new CompletionRequest(model, Prompt.of(prompt), null, null, null, null, null, maxTokens, null, null,
                null, null, null, null, temperature, null, null, null, null);
    }

    public boolean isStream() {
        return Boolean.TRUE.equals(stream);
    }

    public List<String> stopSequences() {
        return stop == null ? List.of() : stop;
    }

    public CompletionRequest withModel(String newModel) {
        return new CompletionRequest(newModel, prompt, bestOf, echo, frequencyPenalty, logitBias, logprobs, maxTokens, n,
                presencePenalty, seed, stop, stream, streamOptions, temperature, topP, user, suffix, new LinkedHashMap<>(extra));
    }

    /** @throws InvalidRequestException naming the first offending field */
    public CompletionRequest validate() {
        RequestChecks.requireText(model, "model");
        if (prompt == null) {
            throw new InvalidRequestException("'prompt' is required", "prompt");
        }
        RequestChecks.checkSampling(temperature, topP, frequencyPenalty, presencePenalty, n, seed);
        RequestChecks.checkPositive(maxTokens, "max_tokens");
        RequestChecks.checkPositive(bestOf, "best_of");
        if (logprobs != null && (logprobs < 0 || logprobs > 5)) {
            throw new InvalidRequestException("'logprobs' must be between 0 and 5, got " + logprobs, "logprobs");
        }
        RequestChecks.checkStop(stop);
        return this;
    }
}
