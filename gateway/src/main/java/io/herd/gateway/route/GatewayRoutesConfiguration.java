package io.herd.gateway.route;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Cloud Gateway routes for the REST API: each public route matches by method and path, runs the
 * gateway filters, then is forwarded ({@code forward:}) to its local handler under {@link ApiRoutes#INTERNAL_PREFIX}.
 */
@Configuration(proxyBeanMethods = false)
public class GatewayRoutesConfiguration {

    @Bean
    ApiRoutes apiRoutes(ObjectProvider<ApiRouteContributor> contributors) {
        return new ApiRoutes(contributors.orderedStream().toList());
    }

    /** Exchange attribute: the request path as the client sent it (still percent-encoded). */
    static final String CLIENT_PATH_ATTRIBUTE = "herd.clientPath";

    @Bean
    RouteLocator herdRouteLocator(RouteLocatorBuilder builder, ApiRoutes routes) {
        // Spring Cloud Gateway's ForwardPathFilter (order 0) replaces the path with the forward URI's path, which
        // would lose path variables such as a model id; so the client's path is remembered before it and the
        // internal path built from it after it.
        GatewayFilter rememberClientPath = (exchange, chain) -> {
            exchange.getAttributes().put(CLIENT_PATH_ATTRIBUTE, exchange.getRequest().getPath().value());
            return chain.filter(exchange);
        };
        GatewayFilter toInternalPath = (exchange, chain) -> {
            String internal = ApiRoutes.INTERNAL_PREFIX + exchange.getAttribute(CLIENT_PATH_ATTRIBUTE);
            return chain.filter(exchange.mutate().request(exchange.getRequest().mutate().path(internal).build()).build());
        };
        RouteLocatorBuilder.Builder b = builder.routes();
        for (ApiRoute route : routes.all()) {
            b.route(route.id(), r -> r.method(route.method()).and().path(route.pattern())
                    .filters(f -> f.filter(rememberClientPath, -1).filter(toInternalPath, 1))
                    .metadata(ApiRoute.PUBLIC_METADATA, route.isPublic())
                    .metadata(ApiRoute.API_METADATA, route.api())
                    .metadata(ApiRoute.OPERATION_METADATA, route.operation() == null ? "" : route.operation().name())
                    .uri("forward:" + ApiRoutes.INTERNAL_PREFIX));
        }
        return b.build();
    }
}
