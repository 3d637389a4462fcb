package io.herd.gateway.route;

import io.herd.gateway.filter.InferenceCall;
import org.springframework.http.HttpMethod;

/**
 * One public REST route. {@code pattern} is the Spring Cloud Gateway path pattern; {@code displayPath} is how
 * {@code /v1/inspect/routes} shows it. Public routes skip authentication; routes with an {@code operation}
 * carry a body with a {@code model} and are routed to a provider by it.
 */
public record ApiRoute(
        String id,
        HttpMethod method,
        String pattern,
        String displayPath,
        String api,
        boolean isPublic,
        InferenceCall.Operation operation) {

    /** Route metadata keys the gateway filters read. */
    public static final String PUBLIC_METADATA = "herd.public";
    public static final String OPERATION_METADATA = "herd.operation";
    public static final String API_METADATA = "herd.api";
}
