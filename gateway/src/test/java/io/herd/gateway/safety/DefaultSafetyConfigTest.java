package io.herd.gateway.safety;

import static org.assertj.core.api.Assertions.assertThat;

import io.herd.gateway.config.HerdConfig;
import io.herd.gateway.config.HerdConfigLoader;
import io.herd.safety.code.CodeScannerProviderFactory;
import io.herd.safety.llamaguard.LlamaGuardProviderFactory;
import io.herd.safety.metrics.InMemoryShieldMetrics;
import io.herd.safety.pii.PiiProviderFactory;
import io.herd.safety.promptguard.PromptGuardProviderFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The built-in configuration is safe by default: shields registered and applied to every model's input and output. */
class DefaultSafetyConfigTest {

    private static SafetyRegistry registry(HerdConfig config) {
        var metrics = new InMemoryShieldMetrics();
        return new SafetyRegistry(config, List.of(new PromptGuardProviderFactory(metrics), new PiiProviderFactory(metrics),
                new CodeScannerProviderFactory(metrics),
                new LlamaGuardProviderFactory(request -> Mono.error(new IllegalStateException("not called")), metrics)));
    }

    @Test
    void registersTheCpuShieldsAndAppliesThemToEveryModel() {
        HerdConfig config = new HerdConfigLoader(Map.<String, String>of()::get).loadDefault();
        assertThat(config.providersOf("safety")).extracting(HerdConfig.ProviderConfig::providerType)
                .containsExactly("inline::prompt-guard", "inline::pii", "inline::code-scanner");
        assertThat(config.shieldPolicy().inputShields()).containsExactly("prompt-guard", "pii");
        assertThat(config.shieldPolicy().outputShields()).containsExactly("pii");
        try (SafetyRegistry registry = registry(config)) {
            assertThat(registry.shields()).extracting(e -> e.shield().identifier() + "=" + e.providerType())
                    .containsExactly("prompt-guard=inline::prompt-guard", "pii=inline::pii", "code-scanner=inline::code-scanner");
        }
    }

    @Test
    void llamaGuardIsRegisteredOnlyWithAGuardModel() {
        Map<String, String> env = Map.of("HERD_GUARD_MODEL", "/models/llama-guard-3-1b.gguf");
        HerdConfig config = new HerdConfigLoader(env::get).loadDefault();
        assertThat(config.registeredResources().models()).extracting(io.herd.api.models.RegisteredModel::modelId)
                .contains("llama-guard-model");
        try (SafetyRegistry registry = registry(config)) {
            SafetyRegistry.ShieldEntry guard = registry.shield("llama-guard").orElseThrow();
            assertThat(guard.providerType()).isEqualTo("inline::llama-guard");
            assertThat(guard.shield().providerResourceId()).isEqualTo("llama-guard-model");
        }
    }
}
