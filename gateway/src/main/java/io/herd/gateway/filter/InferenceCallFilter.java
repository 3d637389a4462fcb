package io.herd.gateway.filter;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Base of the gateway filters that act on the routed {@link InferenceCall}: as a Spring Cloud Gateway filter it
 * decorates the exchange's call (when the route is an inference route), and as an {@link InferenceCallDecorator}
 * the gRPC server applies the same logic.
 */
public abstract class InferenceCallFilter implements GlobalFilter, InferenceCallDecorator {

    @Override
    public final Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        InferenceCall call = exchange.getAttribute(InferenceCall.ATTRIBUTE);
        if (call != null) {
            try {
                decorate(call);
            } catch (RuntimeException e) {
                return Mono.error(e);
            }
        }
        return chain.filter(exchange);
    }
}
