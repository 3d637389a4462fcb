package io.herd.gateway.grpc;

import io.herd.api.common.NotImplementedException;
import io.herd.gateway.config.HerdConfig;
import io.herd.gateway.config.HerdConfigLoader;
import io.herd.gateway.provider.ModelRouter;
import io.herd.gateway.provider.ProviderRegistry;
import io.herd.gateway.support.ScriptedProviderFactory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayInferenceTargetsTest {

    private static final String CONFIG = """
            version: 2
            providers:
              inference:
                - { provider_id: scripted, provider_type: test::scripted, config: {} }
            registered_resources:
              models:
                - { model_id: guarded, provider_id: scripted, provider_model_id: echo }
                - { model_id: open, provider_id: scripted, provider_model_id: echo,
                    metadata: { shield_policy: { input_shields: [], output_shields: [] } } }
            shield_policy:
              input_shields: [prompt-guard]
            """;

    @Test
    void modelsUnderAShieldPolicyAreRefusedRatherThanServedUnguarded() {
        HerdConfig config = new HerdConfigLoader(name -> null).load(CONFIG, "test");
        try (ProviderRegistry registry = new ProviderRegistry(config, List.of(new ScriptedProviderFactory()))) {
            GatewayInferenceTargets targets = new GatewayInferenceTargets(new ModelRouter(config, registry), config.shieldPolicy());

            assertThatThrownBy(() -> targets.resolve("guarded"))
                    .isInstanceOf(NotImplementedException.class)
                    .hasMessageContaining("'guarded' is guarded by shields");
            var open = targets.resolve("open");
            assertThat(open.providerModelId()).isEqualTo("echo");
            assertThat(open.clientModelId()).isEqualTo("open");
        }
    }
}
