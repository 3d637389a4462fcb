package io.herd.gateway.route;

import io.herd.gateway.filter.InferenceCall.Operation;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.RequestPredicate;

import java.util.ArrayList;
import java.util.List;

/**
 * The REST API table: every public route, in one place. The gateway's route locator, {@code /v1/inspect/routes}
 * and the OpenAPI contract test all read it. Other modules add routes as {@link ApiRouteContributor} beans.
 */
public final class ApiRoutes {

    /** Prefix of the local handlers Spring Cloud Gateway forwards to; unreachable from outside. */
    public static final String INTERNAL_PREFIX = "/_herd";

    private final List<ApiRoute> routes;

    public ApiRoutes(List<ApiRouteContributor> contributors) {
        List<ApiRoute> all = new ArrayList<>(core());
        contributors.forEach(c -> all.addAll(c.routes()));
        this.routes = List.copyOf(all);
    }

    /**
     * True only for requests Spring Cloud Gateway forwarded, i.e. that ran through the gateway filters. Nest every
     * handler under {@link #INTERNAL_PREFIX} in it, so that the internal paths cannot be called directly.
     */
    public static RequestPredicate forwardedByGateway() {
        return request -> request.exchange().getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR) != null;
    }

    public List<ApiRoute> all() {
        return routes;
    }

    static List<ApiRoute> core() {
        return List.of(
                new ApiRoute("chat-completions", HttpMethod.POST, "/v1/chat/completions", "/v1/chat/completions", "inference", false, Operation.CHAT_COMPLETION),
                new ApiRoute("completions", HttpMethod.POST, "/v1/completions", "/v1/completions", "inference", false, Operation.COMPLETION),
                new ApiRoute("embeddings", HttpMethod.POST, "/v1/embeddings", "/v1/embeddings", "inference", false, Operation.EMBEDDINGS),
                new ApiRoute("models-list", HttpMethod.GET, "/v1/models", "/v1/models", "models", false, null),
                new ApiRoute("models-get", HttpMethod.GET, "/v1/models/**", "/v1/models/{model_id}", "models", false, null),
                new ApiRoute("providers-list", HttpMethod.GET, "/v1/providers", "/v1/providers", "providers", false, null),
                new ApiRoute("providers-get", HttpMethod.GET, "/v1/providers/{provider_id}", "/v1/providers/{provider_id}", "providers", false, null),
                new ApiRoute("inspect-routes", HttpMethod.GET, "/v1/inspect/routes", "/v1/inspect/routes", "inspect", false, null),
                new ApiRoute("health", HttpMethod.GET, "/v1/health", "/v1/health", "inspect", true, null),
                new ApiRoute("version", HttpMethod.GET, "/v1/version", "/v1/version", "inspect", true, null));
    }
}
