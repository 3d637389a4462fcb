package io.herd.gateway.web;

import io.herd.gateway.route.ApiRoutes;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

/**
 * Local handlers. The API handlers live under {@link ApiRoutes#INTERNAL_PREFIX} and answer only requests that
 * Spring Cloud Gateway forwarded (and so ran through its filters); a direct request there gets 404.
 * The docs are public and served directly.
 */
@Configuration(proxyBeanMethods = false)
public class WebRoutesConfiguration {

    private static final String P = ApiRoutes.INTERNAL_PREFIX;

    @Bean
    RouterFunction<ServerResponse> herdApiHandlers(InferenceHandler inference, CatalogHandler catalog) {
        return RouterFunctions.nest(ApiRoutes.forwardedByGateway(), RouterFunctions.route()
                .POST(P + "/v1/chat/completions", inference::chatCompletions)
                .POST(P + "/v1/completions", inference::completions)
                .POST(P + "/v1/embeddings", inference::embeddings)
                .GET(P + "/v1/models", catalog::listModels)
                .GET(P + "/v1/models/**", catalog::getModel)
                .GET(P + "/v1/providers", catalog::listProviders)
                .GET(P + "/v1/providers/{provider_id}", catalog::getProvider)
                .GET(P + "/v1/inspect/routes", catalog::inspectRoutes)
                .GET(P + "/v1/health", catalog::health)
                .GET(P + "/v1/version", catalog::version)
                .build());
    }

    @Bean
    RouterFunction<ServerResponse> herdDocs(ApiDocsHandler docs) {
        return RouterFunctions.route(GET("/openapi.json"), docs::openApiJson)
                .andRoute(GET("/openapi.yaml"), docs::openApiYaml)
                .andRoute(GET("/docs"), docs::docsPage)
                .and(RouterFunctions.resources("/docs/assets/**", new ClassPathResource(ApiDocsHandler.SWAGGER_UI_ASSETS)));
    }

}
