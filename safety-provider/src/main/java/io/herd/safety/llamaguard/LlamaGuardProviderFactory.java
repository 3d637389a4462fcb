package io.herd.safety.llamaguard;

import io.herd.api.providers.ProviderContext;
import io.herd.api.safety.SafetyProvider;
import io.herd.api.safety.SafetyProviderFactory;
import io.herd.safety.metrics.ShieldMetrics;

/**
 * Builds {@code inline::llama-guard}. It needs a way to call the guard model, so it is not discoverable through
 * {@link java.util.ServiceLoader}: the gateway creates it with a client backed by its model router.
 */
public final class LlamaGuardProviderFactory implements SafetyProviderFactory {

    private final GuardModelClient client;
    private final ShieldMetrics metrics;

    public LlamaGuardProviderFactory(GuardModelClient client, ShieldMetrics metrics) {
        this.client = client;
        this.metrics = metrics;
    }

    @Override
    public String providerType() {
        return LlamaGuardSafetyProvider.PROVIDER_TYPE;
    }

    @Override
    public SafetyProvider create(ProviderContext context) {
        return LlamaGuardSafetyProvider.fromConfig(context.providerId(), context.config(), client, metrics);
    }
}
