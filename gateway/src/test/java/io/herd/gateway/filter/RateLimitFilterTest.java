package io.herd.gateway.filter;

import io.herd.api.common.RateLimitException;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimitFilterTest {

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger passed = new AtomicInteger();
    private final GatewayFilterChain chain = exchange -> {
        passed.incrementAndGet();
        return Mono.empty();
    };

    private void call(RateLimitFilter filter, String key) {
        filter.filter(MockServerWebExchange.from(MockServerHttpRequest.get("/v1/models").header("Authorization", "Bearer " + key)),
                chain).block();
    }

    @Test
    void allowsTheBurstThenRefillsAtTheRatePerClient() {
        RateLimitFilter filter = new RateLimitFilter(2, 3, now::get);
        call(filter, "a");
        call(filter, "a");
        call(filter, "a");
        assertThatThrownBy(() -> call(filter, "a")).isInstanceOfSatisfying(RateLimitException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(429);
            assertThat(e.retryAfter().toMillis()).isEqualTo(500);
        });
        call(filter, "b");
        now.addAndGet(500_000_000L);
        call(filter, "a");
        assertThat(passed.get()).isEqualTo(5);
    }

    @Test
    void rateZeroMeansOff() {
        RateLimitFilter filter = new RateLimitFilter(0, 1, now::get);
        for (int i = 0; i < 100; i++) {
            call(filter, "a");
        }
        assertThat(passed.get()).isEqualTo(100);
    }
}
