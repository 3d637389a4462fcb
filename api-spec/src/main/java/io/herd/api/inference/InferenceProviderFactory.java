package io.herd.api.inference;

import io.herd.api.providers.ProviderFactory;

/** Factory of one inference {@code provider_type}. */
public interface InferenceProviderFactory extends ProviderFactory<InferenceProvider> {

    String API = "inference";

    @Override
    default String api() {
        return API;
    }
}
