package io.herd.provider.inline;

import io.herd.api.inference.InferenceProvider;
import io.herd.api.inference.InferenceProviderFactory;
import io.herd.api.providers.ProviderContext;

/** Builds {@code inline::herd} providers: Herd's engine in the server process. */
public final class HerdInferenceProviderFactory implements InferenceProviderFactory {

    public static final String TYPE = "inline::herd";

    @Override
    public String providerType() {
        return TYPE;
    }

    @Override
    public InferenceProvider create(ProviderContext context) {
        return new HerdInferenceProvider(context.providerId(), context.configAs(HerdInlineConfig.class), context.models(),
                ModelOpener.gguf());
    }
}
