package io.herd.provider.inline;

import io.herd.api.providers.ProviderContext;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HerdInlineConfigTest {

    private static HerdInlineConfig bind(Map<String, Object> config) {
        return new ProviderContext("inference", "herd", HerdInferenceProviderFactory.TYPE, config, List.of())
                .configAs(HerdInlineConfig.class);
    }

    @Test
    void schedulerKeysBindFromSubstitutedStrings() {
        // ${env.X:=...} substitution yields strings.
        HerdInlineConfig c = bind(Map.of("kv_cache_bytes", "1048576", "max_running", "4", "max_waiting", "0",
                "max_step_tokens", "64", "prefix_cache", "false", "warmup", "true"));
        assertThat(c.kvCacheBytes()).isEqualTo(1L << 20);
        assertThat(c.maxRunning()).isEqualTo(4);
        assertThat(c.maxWaiting()).isZero();
        assertThat(c.maxStepTokens()).isEqualTo(64);
        assertThat(c.prefixCache()).isFalse();
        assertThat(c.warmup()).isTrue();
    }

    @Test
    void defaultsBatchSixteenAndCachePrefixes() {
        HerdInlineConfig c = bind(Map.of());
        assertThat(c.kvCacheBytes()).isZero();
        assertThat(c.maxRunning()).isEqualTo(16);
        assertThat(c.maxWaiting()).isEqualTo(64);
        assertThat(c.maxStepTokens()).isEqualTo(256);
        assertThat(c.prefixCache()).isTrue();
        assertThat(c.warmup()).as("the distributions turn the warm-up on").isFalse();
        assertThat(bind(Map.of("max_running", 300)).maxStepTokens()).as("rows must exceed max_running").isEqualTo(301);
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> bind(Map.of("max_running", 8, "max_step_tokens", 8)))
                .hasMessageContaining("max_step_tokens");
        assertThatThrownBy(() -> bind(Map.of("kv_cache_bytes", -1))).hasMessageContaining("kv_cache_bytes");
        assertThatThrownBy(() -> bind(Map.of("max_waiting", -1))).hasMessageContaining("max_waiting");
        assertThatThrownBy(() -> bind(Map.of("kv_cache_size", 1))).hasMessageContaining("kv_cache_size");
    }
}
