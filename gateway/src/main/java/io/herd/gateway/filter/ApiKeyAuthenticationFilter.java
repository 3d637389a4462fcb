package io.herd.gateway.filter;

import io.herd.api.common.AuthenticationException;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * {@code Authorization: Bearer <key>} check against {@code server.api_keys}. Off when no key is configured;
 * public routes (health, version) never need a key. Keys are compared in constant time.
 */
public final class ApiKeyAuthenticationFilter implements GlobalFilter, Ordered {

    private static final String BEARER = "Bearer ";

    private final List<byte[]> keys;

    public ApiKeyAuthenticationFilter(List<String> apiKeys) {
        this.keys = apiKeys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (keys.isEmpty() || RouteMetadata.isPublic(exchange)) {
            return chain.filter(exchange);
        }
        try {
            authenticate(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
        } catch (AuthenticationException e) {
            return Mono.error(e);
        }
        return chain.filter(exchange);
    }

    /** Whether API keys are configured at all. */
    public boolean enabled() {
        return !keys.isEmpty();
    }

    /**
     * Checks an {@code Authorization} header value (REST header or gRPC metadata).
     *
     * @throws AuthenticationException when keys are configured and the header carries none of them
     */
    public void authenticate(String authorizationHeader) {
        if (keys.isEmpty()) {
            return;
        }
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new AuthenticationException("Missing API key: send it as 'Authorization: Bearer <key>'.");
        }
        byte[] presented = authorizationHeader.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] key : keys) {
            match |= MessageDigest.isEqual(key, presented);
        }
        if (!match) {
            throw new AuthenticationException("Incorrect API key provided.");
        }
    }

    @Override
    public int getOrder() {
        return HerdFilterOrder.AUTHENTICATION;
    }
}
