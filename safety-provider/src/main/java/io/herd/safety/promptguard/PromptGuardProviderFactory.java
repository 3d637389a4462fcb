package io.herd.safety.promptguard;

import io.herd.api.providers.ProviderContext;
import io.herd.api.safety.SafetyProvider;
import io.herd.api.safety.SafetyProviderFactory;
import io.herd.safety.metrics.ShieldMetrics;

/** Builds {@code inline::prompt-guard} with the heuristic scorer; config keys: {@code threshold}, {@code guard_type}, {@code user_message}. */
public final class PromptGuardProviderFactory implements SafetyProviderFactory {

    private final ShieldMetrics metrics;

    /** For {@link java.util.ServiceLoader}. */
    public PromptGuardProviderFactory() {
        this(ShieldMetrics.NOOP);
    }

    public PromptGuardProviderFactory(ShieldMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public String providerType() {
        return PromptGuardSafetyProvider.PROVIDER_TYPE;
    }

    @Override
    public SafetyProvider create(ProviderContext context) {
        return new PromptGuardSafetyProvider(context.providerId(), PromptGuardConfig.fromMap(context.config()),
                new HeuristicInjectionScorer(), metrics);
    }
}
