package io.herd.api.models;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * A model listed under {@code registered_resources.models} in {@code config.yaml}:
 * {@code model_id} is the public id; {@code provider_model_id} the provider's name for it
 * (defaults to {@code model_id}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RegisteredModel(
        @JsonProperty("model_id") String modelId,
        @JsonProperty("provider_id") String providerId,
        @JsonProperty("provider_model_id") String providerModelId,
        @JsonProperty("model_type") ModelType modelType,
        Map<String, Object> metadata) {

    public RegisteredModel {
        providerModelId = providerModelId == null || providerModelId.isBlank() ? modelId : providerModelId;
        modelType = modelType == null ? ModelType.LLM : modelType;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
