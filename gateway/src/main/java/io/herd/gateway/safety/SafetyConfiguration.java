package io.herd.gateway.safety;

import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.safety.SafetyProviderFactory;
import io.herd.gateway.config.HerdConfig;
import io.herd.gateway.provider.ModelRouter;
import io.herd.gateway.route.ApiRoute;
import io.herd.gateway.route.ApiRouteContributor;
import io.herd.gateway.route.ApiRoutes;
import io.herd.safety.code.CodeScannerProviderFactory;
import io.herd.safety.llamaguard.GuardModelClient;
import io.herd.safety.llamaguard.LlamaGuardProviderFactory;
import io.herd.safety.metrics.ShieldMetrics;
import io.herd.safety.pii.PiiProviderFactory;
import io.herd.safety.promptguard.PromptGuardProviderFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreakerFactory;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** Wires the safety API: providers and shields from config.yaml, the shield filter and the safety routes. */
@Configuration(proxyBeanMethods = false)
public class SafetyConfiguration {

    private static final String P = ApiRoutes.INTERNAL_PREFIX;
    private static final RequestPredicate FORWARDED_BY_GATEWAY =
            request -> request.exchange().getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR) != null;

    @Bean
    ShieldMetrics shieldMetrics(MeterRegistry meters) {
        return new MicrometerShieldMetrics(meters);
    }

    @Bean
    PromptGuardProviderFactory promptGuardProviderFactory(ShieldMetrics metrics) {
        return new PromptGuardProviderFactory(metrics);
    }

    @Bean
    PiiProviderFactory piiProviderFactory(ShieldMetrics metrics) {
        return new PiiProviderFactory(metrics);
    }

    @Bean
    CodeScannerProviderFactory codeScannerProviderFactory(ShieldMetrics metrics) {
        return new CodeScannerProviderFactory(metrics);
    }

    /** Llama Guard reaches its guard model through the model router, like any client request would. */
    @Bean
    LlamaGuardProviderFactory llamaGuardProviderFactory(ObjectProvider<ModelRouter> router, ShieldMetrics metrics) {
        GuardModelClient client = request -> Mono.defer(() -> {
            var routed = router.getObject().resolve(request.model());
            ChatCompletionRequest forProvider = request.withModel(routed.providerModelId());
            return routed.provider().provider().chatCompletion(forProvider)
                    .map(SafetyConfiguration::firstText);
        });
        return new LlamaGuardProviderFactory(client, metrics);
    }

    private static String firstText(ChatCompletion completion) {
        return completion.choices().isEmpty() || completion.choices().getFirst().message() == null
                ? "" : completion.choices().getFirst().message().text();
    }

    @Bean(destroyMethod = "close")
    SafetyRegistry safetyRegistry(HerdConfig config, ObjectProvider<SafetyProviderFactory> factories) {
        return new SafetyRegistry(config, factories.orderedStream().toList());
    }

    @Bean
    ShieldRunner shieldRunner(HerdConfig config, SafetyRegistry registry, ReactiveCircuitBreakerFactory<?, ?> breakers) {
        HerdConfig.ShieldPolicy policy = config.shieldPolicy();
        return new ShieldRunner(registry, breakers, Duration.ofMillis(policy.shieldTimeoutMs()), policy.failOpen());
    }

    @Bean
    ShieldFilter shieldFilter(HerdConfig config, ShieldRunner runner) {
        return new ShieldFilter(config.shieldPolicy(), runner);
    }

    @Bean
    SafetyHandler safetyHandler(HerdConfig config, SafetyRegistry registry, JsonMapper json) {
        return new SafetyHandler(registry, json, config.server().maxRequestBodyBytes());
    }

    @Bean
    ApiRouteContributor safetyRoutes() {
        return () -> List.of(
                new ApiRoute("shields-list", HttpMethod.GET, "/v1/shields", "/v1/shields", "shields", false, null),
                new ApiRoute("shields-get", HttpMethod.GET, "/v1/shields/**", "/v1/shields/{identifier}", "shields", false, null),
                new ApiRoute("run-shield", HttpMethod.POST, "/v1/safety/run-shield", "/v1/safety/run-shield", "safety", false, null),
                new ApiRoute("moderations", HttpMethod.POST, "/v1/moderations", "/v1/moderations", "safety", false, null));
    }

    @Bean
    RouterFunction<ServerResponse> herdSafetyHandlers(SafetyHandler safety) {
        return RouterFunctions.nest(FORWARDED_BY_GATEWAY, RouterFunctions.route()
                .GET(P + "/v1/shields", safety::listShields)
                .GET(P + "/v1/shields/**", safety::getShield)
                .POST(P + "/v1/safety/run-shield", safety::runShield)
                .POST(P + "/v1/moderations", safety::moderations)
                .build());
    }

}
