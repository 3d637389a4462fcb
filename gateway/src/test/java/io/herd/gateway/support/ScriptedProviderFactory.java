package io.herd.gateway.support;

import io.herd.api.inference.InferenceProvider;
import io.herd.api.inference.InferenceProviderFactory;
import io.herd.api.providers.ProviderContext;

/** Test double factory for {@code test::scripted}, registered as a Spring bean like any provider type. */
public final class ScriptedProviderFactory implements InferenceProviderFactory {

    @Override
    public String providerType() {
        return "test::scripted";
    }

    @Override
    public InferenceProvider create(ProviderContext context) {
        return new ScriptedInferenceProvider(context.providerId(), context.models());
    }
}
