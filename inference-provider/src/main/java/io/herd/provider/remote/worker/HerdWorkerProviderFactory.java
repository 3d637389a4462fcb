package io.herd.provider.remote.worker;

import io.herd.api.inference.InferenceProvider;
import io.herd.api.inference.InferenceProviderFactory;
import io.herd.api.providers.ProviderContext;

/** Builds {@code remote::herd-worker} providers: Herd workers reached over gRPC. */
public final class HerdWorkerProviderFactory implements InferenceProviderFactory {

    public static final String TYPE = "remote::herd-worker";

    @Override
    public String providerType() {
        return TYPE;
    }

    @Override
    public InferenceProvider create(ProviderContext context) {
        return new HerdWorkerInferenceProvider(context.providerId(), context.configAs(HerdWorkerProviderConfig.class),
                context.models());
    }
}
