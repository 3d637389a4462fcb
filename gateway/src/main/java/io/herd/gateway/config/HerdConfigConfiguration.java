package io.herd.gateway.config;

import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.reactive.ConfigurableReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * Loads {@code config.yaml} (property {@code herd.config}, else the built-in default) and applies its
 * {@code server} section to the web server, unless Spring's own {@code server.port}/{@code server.address}
 * are set (tests use that for random ports).
 */
@Configuration(proxyBeanMethods = false)
public class HerdConfigConfiguration {

    public static final String CONFIG_PROPERTY = "herd.config";

    @Bean
    HerdConfig herdConfig(Environment environment) {
        HerdConfigLoader loader = new HerdConfigLoader(environment::getProperty);
        String file = environment.getProperty(CONFIG_PROPERTY);
        return file == null || file.isBlank() ? loader.loadDefault() : loader.load(Path.of(file));
    }

    @Bean
    WebServerFactoryCustomizer<ConfigurableReactiveWebServerFactory> herdServerAddress(HerdConfig config,
                                                                                      Environment environment) {
        return factory -> {
            if (!environment.containsProperty("server.port")) {
                factory.setPort(config.server().port());
            }
            if (!environment.containsProperty("server.address")) {
                try {
                    factory.setAddress(InetAddress.getByName(config.server().host()));
                } catch (UnknownHostException e) {
                    throw new ConfigException("server.host '" + config.server().host() + "' does not resolve", e);
                }
            }
        };
    }
}
