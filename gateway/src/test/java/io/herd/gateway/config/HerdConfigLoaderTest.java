package io.herd.gateway.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HerdConfigLoaderTest {

    private static HerdConfig load(String yaml, Map<String, String> env) {
        return new HerdConfigLoader(env::get).load(yaml, "config.yaml");
    }

    private static final String PROVIDERS = """
            version: 2
            image_name: old-name
            apis: [inference]
            providers:
              inference:
                - provider_id: ${env.OLLAMA_URL:+ollama}
                  provider_type: remote::openai
                  config: { base_url: "${env.OLLAMA_URL:=http://localhost:11434/v1}", max_tokens: 4096 }
                - provider_id: herd
                  provider_type: inline::herd
                  config: { threads: "${env.HERD_THREADS:=0}" }
            registered_resources:
              models:
                - { model_id: m1, provider_id: herd, provider_model_id: /models/a.gguf, metadata: { x: 1 } }
                - { model_id: "ollama/llama3.2:3b", provider_id: "${env.OLLAMA_URL:+ollama}" }
            server:
              port: ${env.PORT:=8321}
              auth: { api_keys: ["${env.KEY:=}", "k2"] }
            storage: { backends: {} }
            """;

    @Test
    void substitutesDefaultsAndDisablesProvidersWhoseIdIsEmpty() {
        HerdConfig config = load(PROVIDERS, Map.of());
        assertThat(config.distroName()).isEqualTo("old-name");
        assertThat(config.providersOf("inference")).extracting(HerdConfig.ProviderConfig::providerId).containsExactly("herd");
        assertThat(config.providersOf("inference").getFirst().config()).containsEntry("threads", 0L);
        assertThat(config.registeredResources().models()).extracting(m -> m.modelId()).containsExactly("m1");
        assertThat(config.server().port()).isEqualTo(8321);
        assertThat(config.server().host()).isEqualTo("127.0.0.1");
        assertThat(config.server().allApiKeys()).containsExactly("k2");
    }

    @Test
    void substitutesSetVariables() {
        HerdConfig config = load(PROVIDERS, Map.of("OLLAMA_URL", "http://gpu:11434/v1", "PORT", "9000", "KEY", "k1"));
        assertThat(config.providersOf("inference")).extracting(HerdConfig.ProviderConfig::providerId).containsExactly("ollama", "herd");
        assertThat(config.providersOf("inference").getFirst().config()).containsEntry("base_url", "http://gpu:11434/v1");
        assertThat(config.registeredResources().models()).hasSize(2);
        assertThat(config.registeredResources().models().get(1).providerModelId()).isEqualTo("ollama/llama3.2:3b");
        assertThat(config.server().port()).isEqualTo(9000);
        assertThat(config.server().allApiKeys()).containsExactly("k1", "k2");
    }

    @Test
    void requiredVariableThatIsUnsetNamesTheFieldAndTheVariable() {
        assertThatThrownBy(() -> load("server: { host: \"${env.HERD_HOST}\" }", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.host").hasMessageContaining("HERD_HOST");
    }

    @Test
    void errorsNameTheField() {
        assertThatThrownBy(() -> load("server: { port: eighty }", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.port");
        assertThatThrownBy(() -> load("server: { port: 70000 }", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.port");
        assertThatThrownBy(() -> load("providers: { inference: [ { provider_id: a } ] }", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("providers.inference[0].provider_type");
        assertThatThrownBy(() -> load("""
                providers: { inference: [ { provider_id: a, provider_type: inline::herd } ] }
                registered_resources: { models: [ { model_id: m, provider_id: b } ] }
                """, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("registered_resources.models[0].provider_id");
        assertThatThrownBy(() -> load("providers: { inference: [ { provider_id: a, provider_type: x }, { provider_id: a, provider_type: y } ] }", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("providers.inference[1].provider_id");
        assertThatThrownBy(() -> load("apis: [inference\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> load("- a\n- b\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("top level");
    }

    @Test
    void builtInDefaultLoads() {
        HerdConfig config = new HerdConfigLoader(name -> null).loadDefault();
        assertThat(config.providersOf("inference")).extracting(HerdConfig.ProviderConfig::providerType).containsExactly("inline::herd");
        assertThat(config.registeredResources().models()).isEmpty();
        assertThat(config.server().port()).isEqualTo(8321);
        HerdConfig withModel = new HerdConfigLoader(Map.of("HERD_MODEL", "/m.gguf", "OPENAI_BASE_URL", "http://x/v1")::get).loadDefault();
        assertThat(withModel.registeredResources().models().getFirst().providerModelId()).isEqualTo("/m.gguf");
        assertThat(withModel.providersOf("inference")).hasSize(2);
    }
}
