package io.herd.gateway.grpc;

import io.herd.api.common.InvalidRequestException;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.gateway.filter.InferenceCall;
import io.herd.gateway.filter.InferenceCallDecorator;
import io.herd.gateway.filter.InferenceCalls;
import io.herd.gateway.config.HerdConfig;
import io.herd.gateway.config.HerdConfigLoader;
import io.herd.gateway.provider.ModelRouter;
import io.herd.gateway.provider.ProviderRegistry;
import io.herd.gateway.support.ScriptedProviderFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
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

    private static ChatCompletionRequest chat(String model) {
        return ChatCompletionRequest.builder().model(model).messages(ChatMessage.user("hi")).build();
    }

    @Test
    void everyModelIsPreparedThroughTheGatewayDecorators() {
        HerdConfig config = new HerdConfigLoader(name -> null).load(CONFIG, "test");
        List<String> decorated = new ArrayList<>();
        InferenceCallDecorator recorder = new InferenceCallDecorator() {
            @Override
            public void decorate(InferenceCall call) {
                decorated.add(call.requestedModel());
            }

            @Override
            public int getOrder() {
                return 0;
            }
        };
        try (ProviderRegistry registry = new ProviderRegistry(config, List.of(new ScriptedProviderFactory()))) {
            GatewayInferenceTargets targets = new GatewayInferenceTargets(
                    new InferenceCalls(new ModelRouter(config, registry), () -> List.of(recorder)));

            // shielded models are served too: the shield policy is one of the decorators
            var guarded = targets.prepare(chat("guarded")).block();
            assertThat(((ChatCompletionRequest) guarded.providerRequest()).model()).isEqualTo("echo");
            assertThat(guarded.clientModelId()).isEqualTo("guarded");
            var open = targets.prepare(chat("open")).block();
            assertThat(open.clientModelId()).isEqualTo("open");
            assertThat(decorated).containsExactly("guarded", "open");
            assertThatThrownBy(() -> targets.prepare(ChatCompletionRequest.builder().model("open").build()).block())
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("messages");
        }
    }
}
