package io.herd.api.safety;

import io.herd.api.providers.ProviderFactory;

/** Factory of one safety {@code provider_type}, e.g. {@code inline::prompt-guard}. */
public interface SafetyProviderFactory extends ProviderFactory<SafetyProvider> {

    String API = "safety";

    @Override
    default String api() {
        return API;
    }
}
