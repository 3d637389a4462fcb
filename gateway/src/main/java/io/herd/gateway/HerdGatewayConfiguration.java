package io.herd.gateway;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.herd.api.common.HerdException;
import io.herd.api.inference.InferenceProviderFactory;
import io.herd.gateway.config.HerdConfig;
import io.herd.gateway.filter.ApiKeyAuthenticationFilter;
import io.herd.gateway.filter.CircuitBreakerFilter;
import io.herd.gateway.filter.InferenceCallDecorator;
import io.herd.gateway.filter.InferenceCalls;
import io.herd.gateway.filter.InferenceRequestFilter;
import io.herd.gateway.filter.JsonRequestReader;
import io.herd.gateway.filter.RateLimitFilter;
import io.herd.gateway.provider.ModelRouter;
import io.herd.gateway.provider.ProviderRegistry;
import io.herd.gateway.route.ApiRoutes;
import io.herd.gateway.web.ApiDocsHandler;
import io.herd.gateway.web.CatalogHandler;
import io.herd.gateway.web.HerdErrorWebExceptionHandler;
import io.herd.gateway.web.InferenceHandler;
import io.herd.gateway.web.ServerSentEvents;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JCircuitBreakerFactory;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JConfigBuilder;
import org.springframework.cloud.client.circuitbreaker.Customizer;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreakerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;

/** Wires the configuration, the provider registry and router, the gateway filters and the handlers. */
@Configuration(proxyBeanMethods = false)
public class HerdGatewayConfiguration {

    @Bean(destroyMethod = "close")
    ProviderRegistry providerRegistry(HerdConfig config, ObjectProvider<InferenceProviderFactory> factories) {
        return new ProviderRegistry(config, factories.orderedStream().toList());
    }

    @Bean
    ModelRouter modelRouter(HerdConfig config, ProviderRegistry providers) {
        return new ModelRouter(config, providers);
    }

    @Bean
    ApiKeyAuthenticationFilter apiKeyAuthenticationFilter(HerdConfig config) {
        return new ApiKeyAuthenticationFilter(config.server().allApiKeys());
    }

    /** Passes everything through unless {@code server.rate_limit.requests_per_second} is set. */
    @Bean
    RateLimitFilter rateLimitFilter(HerdConfig config) {
        HerdConfig.RateLimitConfig limit = config.server().rateLimit();
        return new RateLimitFilter(limit.requestsPerSecond(), limit.burst(), System::nanoTime);
    }

    @Bean
    InferenceCalls inferenceCalls(ModelRouter router, ObjectProvider<InferenceCallDecorator> decorators) {
        return new InferenceCalls(router, () -> decorators.orderedStream().toList());
    }

    @Bean
    InferenceRequestFilter inferenceRequestFilter(HerdConfig config, JsonMapper mapper, InferenceCalls calls) {
        return new InferenceRequestFilter(config.server().maxRequestBodyBytes(), new JsonRequestReader(mapper), calls);
    }

    @Bean
    CircuitBreakerFilter circuitBreakerFilter(HerdConfig config, ReactiveCircuitBreakerFactory<?, ?> factory) {
        return new CircuitBreakerFilter(factory, Duration.ofSeconds(config.server().circuitBreaker().waitSeconds()));
    }

    /**
     * Only server-side failures (5xx, timeouts, crashes) count against a provider; a bad request or an unknown
     * model says nothing about its health. Generations may stream for minutes, so there is no time limit.
     */
    @Bean
    Customizer<ReactiveResilience4JCircuitBreakerFactory> herdCircuitBreakers(HerdConfig config) {
        HerdConfig.CircuitBreakerConfig cb = config.server().circuitBreaker();
        return factory -> factory.configureDefault(id -> new Resilience4JConfigBuilder(id)
                .circuitBreakerConfig(CircuitBreakerConfig.custom()
                        .failureRateThreshold(cb.failureRateThreshold())
                        .slidingWindowSize(cb.slidingWindowSize())
                        .minimumNumberOfCalls(cb.slidingWindowSize())
                        .waitDurationInOpenState(Duration.ofSeconds(cb.waitSeconds()))
                        .recordException(HerdGatewayConfiguration::isProviderFailure)
                        .build())
                .timeLimiterConfig(TimeLimiterConfig.custom().timeoutDuration(Duration.ofDays(1)).build())
                .build());
    }

    static boolean isProviderFailure(Throwable t) {
        return !(t instanceof HerdException h) || (h.httpStatus() >= 500 && h.httpStatus() != 501);
    }

    @Bean
    ServerSentEvents serverSentEvents(JsonMapper mapper) {
        return new ServerSentEvents(mapper);
    }

    @Bean
    InferenceHandler inferenceHandler(ServerSentEvents sse) {
        return new InferenceHandler(sse);
    }

    @Bean
    CatalogHandler catalogHandler(ModelRouter router, ProviderRegistry providers, ApiRoutes routes) {
        String version = HerdGatewayApplication.class.getPackage().getImplementationVersion();
        return new CatalogHandler(router, providers, routes, version == null ? "0.1.0-SNAPSHOT" : version);
    }

    @Bean
    ApiDocsHandler apiDocsHandler(JsonMapper mapper) {
        return new ApiDocsHandler(mapper);
    }

    @Bean
    HerdErrorWebExceptionHandler herdErrorWebExceptionHandler(JsonMapper mapper) {
        return new HerdErrorWebExceptionHandler(mapper);
    }
}
