package io.herd.gateway.support;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

@TestConfiguration(proxyBeanMethods = false)
public class GatewayTestConfiguration {

    @Bean
    ScriptedProviderFactory scriptedProviderFactory() {
        return new ScriptedProviderFactory();
    }
}
