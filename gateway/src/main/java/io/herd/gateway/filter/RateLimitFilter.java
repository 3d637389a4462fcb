package io.herd.gateway.filter;

import io.herd.api.common.RateLimitException;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Per-client token bucket ({@code server.rate_limit}): a client is its bearer token when it sends one,
 * else its remote address. Over the limit, the request gets 429 with {@code Retry-After}.
 * Public routes (health, version) are not limited, so probes keep working under load. A rate of 0 turns it off.
 */
public final class RateLimitFilter implements GlobalFilter, Ordered {

    private final double tokensPerNano;
    private final double burst;
    private final LongSupplier nanoClock;
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimitFilter(double requestsPerSecond, int burst, LongSupplier nanoClock) {
        this.tokensPerNano = requestsPerSecond / 1e9;
        this.burst = burst;
        this.nanoClock = nanoClock;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (tokensPerNano <= 0 || RouteMetadata.isPublic(exchange)) {
            return chain.filter(exchange);
        }
        Bucket bucket = buckets.computeIfAbsent(clientKey(exchange), k -> new Bucket(burst, nanoClock.getAsLong()));
        long waitNanos = bucket.take(nanoClock.getAsLong(), tokensPerNano, burst);
        if (waitNanos > 0) {
            Duration wait = Duration.ofNanos(waitNanos);
            return Mono.error(new RateLimitException("Rate limit exceeded: retry in " + Math.max(1, wait.toSeconds())
                    + " s.", wait));
        }
        return chain.filter(exchange);
    }

    private static String clientKey(ServerWebExchange exchange) {
        String auth = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (auth != null) {
            return "key:" + auth;
        }
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return "ip:" + (remote == null ? "unknown" : remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress());
    }

    @Override
    public int getOrder() {
        return HerdFilterOrder.RATE_LIMIT;
    }

    private static final class Bucket {
        private double tokens;
        private long lastRefill;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.lastRefill = now;
        }

        /** Takes one token; returns 0 on success or the nanoseconds until one is available. */
        synchronized long take(long now, double tokensPerNano, double capacity) {
            tokens = Math.min(capacity, tokens + (now - lastRefill) * tokensPerNano);
            lastRefill = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / tokensPerNano);
        }
    }
}
