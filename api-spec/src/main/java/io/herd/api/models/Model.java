package io.herd.api.models;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/** The native Llama Stack model object of {@code GET /v1/models/{id}}. */
public record Model(
        String identifier,
        @JsonProperty("provider_resource_id") String providerResourceId,
        @JsonProperty("provider_id") String providerId,
        String type,
        Map<String, Object> metadata,
        @JsonProperty("model_type") ModelType modelType,
        String id,
        String object,
        long created,
        @JsonProperty("owned_by") String ownedBy) {

    public static Model from(ModelInfo model) {
        return new Model(model.identifier(), model.providerResourceId(), model.providerId(), "model", model.metadata(),
                model.modelType(), model.identifier(), "model", model.created(), OpenAIModel.OWNER);
    }
}
