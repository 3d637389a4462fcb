package io.herd.api.models;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.LinkedHashMap;
import java.util.Map;

/** An item of {@code GET /v1/models} (OpenAI shape, with Llama Stack's {@code custom_metadata}). */
public record OpenAIModel(
        String id,
        String object,
        long created,
        @JsonProperty("owned_by") String ownedBy,
        @JsonProperty("custom_metadata") Map<String, Object> customMetadata) {

    public static final String OWNER = "herd";

    public static OpenAIModel from(ModelInfo model) {
        Map<String, Object> meta = new LinkedHashMap<>(model.metadata());
        meta.put("model_type", model.modelType().wireName());
        meta.put("provider_id", model.providerId());
        meta.put("provider_resource_id", model.providerResourceId());
        return new OpenAIModel(model.identifier(), "model", model.created(), OWNER, meta);
    }
}
