package io.herd.provider.remote.openai;

import io.herd.api.inference.InferenceProvider;
import io.herd.api.inference.InferenceProviderFactory;
import io.herd.api.providers.ProviderContext;

/** Builds {@code remote::openai} providers. */
public final class OpenAIProviderFactory implements InferenceProviderFactory {

    public static final String TYPE = "remote::openai";

    @Override
    public String providerType() {
        return TYPE;
    }

    @Override
    public InferenceProvider create(ProviderContext context) {
        return new OpenAIInferenceProvider(context.providerId(), context.configAs(OpenAIProviderConfig.class), context.models());
    }
}
