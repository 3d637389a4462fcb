package io.herd.gateway;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HerdGatewayApplicationTest {

    @Test
    void configOptionBecomesTheSpringProperty() {
        assertThat(HerdGatewayApplication.translateArguments(new String[]{"--config", "run.yaml", "--debug"}))
                .containsExactly("--herd.config=run.yaml", "--debug");
        assertThat(HerdGatewayApplication.translateArguments(new String[]{"--config=/etc/herd.yaml"}))
                .containsExactly("--herd.config=/etc/herd.yaml");
        assertThatThrownBy(() -> HerdGatewayApplication.translateArguments(new String[]{"--config"}))
                .hasMessageContaining("--config");
    }
}
