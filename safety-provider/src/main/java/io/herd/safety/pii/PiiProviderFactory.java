package io.herd.safety.pii;

import io.herd.api.providers.ProviderContext;
import io.herd.api.safety.SafetyProvider;
import io.herd.api.safety.SafetyProviderFactory;
import io.herd.safety.metrics.ShieldMetrics;

/** Builds {@code inline::pii}; see {@link PiiConfig} for the config keys. */
public final class PiiProviderFactory implements SafetyProviderFactory {

    private final ShieldMetrics metrics;

    public PiiProviderFactory() {
        this(ShieldMetrics.NOOP);
    }

    public PiiProviderFactory(ShieldMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public String providerType() {
        return PiiSafetyProvider.PROVIDER_TYPE;
    }

    @Override
    public SafetyProvider create(ProviderContext context) {
        return new PiiSafetyProvider(context.providerId(), PiiConfig.fromMap(context.config()), metrics);
    }
}
