package io.herd.gateway.provider;

import io.herd.api.models.ModelInfo;

/** Where a model id leads: the model (with the provider's own name for it) and the provider serving it. */
public record RoutedModel(ModelInfo model, ProviderRegistry.InferenceProviderEntry provider) {

    public String providerModelId() {
        return model.providerResourceId();
    }
}
