package io.herd.gateway.route;

import org.springframework.beans.factory.ObjectProvider;
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

    @Bean
    RouteLocator herdRouteLocator(RouteLocatorBuilder builder, ApiRoutes routes) {
        RouteLocatorBuilder.Builder b = builder.routes();
        for (ApiRoute route : routes.all()) {
            b.route(route.id(), r -> r.method(route.method()).and().path(route.pattern())
                    .filters(f -> f.prefixPath(ApiRoutes.INTERNAL_PREFIX))
                    .metadata(ApiRoute.PUBLIC_METADATA, route.isPublic())
                    .metadata(ApiRoute.API_METADATA, route.api())
                    .metadata(ApiRoute.OPERATION_METADATA, route.operation() == null ? "" : route.operation().name())
                    .uri("forward:/"));
        }
        return b.build();
    }
}
