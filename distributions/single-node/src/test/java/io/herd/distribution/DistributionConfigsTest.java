package io.herd.distribution;

import io.herd.gateway.config.HerdConfig;
import io.herd.gateway.config.HerdConfigLoader;
import io.herd.gateway.provider.ProviderRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped config files load, and their providers build (workers are reached lazily, so none must run). */
class DistributionConfigsTest {

    @Test
    void cloudConfigRoutesModelsToHerdWorkers() {
        Map<String, String> env = Map.of("POSTGRES_PASSWORD", "secret", "HERD_CUDA_WORKER_URL", "dns:///gpu-workers:50052");
        HerdConfig config = new HerdConfigLoader(env::get).load(Path.of("../cloud/config.yaml"));

        assertThat(config.providersOf("inference")).extracting(HerdConfig.ProviderConfig::providerId, HerdConfig.ProviderConfig::providerType)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("cpu-workers", "remote::herd-worker"),
                        org.assertj.core.groups.Tuple.tuple("cuda-workers", "remote::herd-worker"));
        assertThat(config.registeredResources().models()).singleElement()
                .satisfies(m -> assertThat(m.providerModelId()).isEqualTo("Llama-3.2-1B-Instruct-Q4_K_M"));
        assertThat(config.server().host()).isEqualTo("0.0.0.0");
        try (ProviderRegistry registry = new ProviderRegistry(config, List.of())) {
            assertThat(registry.inferenceProviders()).hasSize(2);
        }
    }

    @Test
    void singleNodeConfigServesTheModelItIsGiven() throws IOException {
        String yaml;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(ServeCommand.BUILT_IN_CONFIG)) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> env = Map.of("HERD_MODEL", "/models/x.gguf", "HERD_MODEL_ID", "x", "HERD_HOME", "/tmp/h");
        HerdConfig config = new HerdConfigLoader(env::get).load(yaml, "single-node.yaml");

        assertThat(config.providersOf("inference")).extracting(HerdConfig.ProviderConfig::providerType).containsExactly("inline::herd");
        assertThat(config.registeredResources().models()).singleElement().satisfies(m -> {
            assertThat(m.modelId()).isEqualTo("x");
            assertThat(m.providerId()).isEqualTo("herd");
            assertThat(m.providerModelId()).isEqualTo("/models/x.gguf");
        });
        assertThat(config.server().port()).isEqualTo(8321);
        assertThat(config.server().grpcPort()).isEqualTo(50051);
        assertThat(config.server().allApiKeys()).isEmpty();
    }

    @Test
    void singleNodeConfigIsSafeByDefault() throws IOException {
        String yaml;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(ServeCommand.BUILT_IN_CONFIG)) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        HerdConfig config = new HerdConfigLoader(Map.of("HERD_MODEL", "/models/x.gguf")::get).load(yaml, "single-node.yaml");

        assertThat(config.providersOf("safety")).extracting(HerdConfig.ProviderConfig::providerType)
                .containsExactly("inline::prompt-guard", "inline::pii", "inline::code-scanner");
        assertThat(config.shieldPolicy().inputShields()).containsExactly("prompt-guard", "pii");
        assertThat(config.shieldPolicy().outputShields()).containsExactly("pii");

        HerdConfig guarded = new HerdConfigLoader(Map.of("HERD_MODEL", "/models/x.gguf", "HERD_GUARD_MODEL", "/models/guard.gguf")::get)
                .load(yaml, "single-node.yaml");
        assertThat(guarded.providersOf("safety")).extracting(HerdConfig.ProviderConfig::providerType).contains("inline::llama-guard");
    }
}
