package io.herd.api.models;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * A model a provider serves. {@code identifier} is the id clients use; {@code providerResourceId} is the
 * provider's own name for it (a GGUF path for {@code inline::herd}, the upstream model name for a remote);
 * requests reach the provider with {@code model = providerResourceId}.
 */
public record ModelInfo(
        String identifier,
        @JsonProperty("provider_resource_id") String providerResourceId,
        @JsonProperty("provider_id") String providerId,
        @JsonProperty("model_type") ModelType modelType,
        Map<String, Object> metadata,
        long created) {

    public ModelInfo {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        modelType = modelType == null ? ModelType.LLM : modelType;
    }
}
