package io.herd.safety.code;

import io.herd.api.providers.ProviderContext;
import io.herd.api.safety.SafetyProvider;
import io.herd.api.safety.SafetyProviderFactory;
import io.herd.safety.metrics.ShieldMetrics;

/** Builds {@code inline::code-scanner}; config keys {@code block_severity}, {@code warn_severity}. */
public final class CodeScannerProviderFactory implements SafetyProviderFactory {

    private final ShieldMetrics metrics;

    public CodeScannerProviderFactory() {
        this(ShieldMetrics.NOOP);
    }

    public CodeScannerProviderFactory(ShieldMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public String providerType() {
        return CodeScannerSafetyProvider.PROVIDER_TYPE;
    }

    @Override
    public SafetyProvider create(ProviderContext context) {
        return CodeScannerSafetyProvider.fromConfig(context.providerId(), context.config(), metrics);
    }
}
