package io.herd.gateway.filter;

import io.herd.gateway.route.ApiRoute;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.web.server.ServerWebExchange;

/** Reads Herd's metadata from the Spring Cloud Gateway route matched for an exchange. */
final class RouteMetadata {

    private RouteMetadata() {
    }

    static boolean isPublic(ServerWebExchange exchange) {
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        return route != null && Boolean.TRUE.equals(route.getMetadata().get(ApiRoute.PUBLIC_METADATA));
    }

    static InferenceCall.Operation operation(ServerWebExchange exchange) {
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        if (route == null || !(route.getMetadata().get(ApiRoute.OPERATION_METADATA) instanceof String name) || name.isEmpty()) {
            return null;
        }
        return InferenceCall.Operation.valueOf(name);
    }
}
