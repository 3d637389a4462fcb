package io.herd.gateway.filter;

import io.herd.api.common.OverloadedException;
import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.api.inference.EmbeddingsResponse;
import io.herd.api.inference.InferenceProvider;
import io.herd.api.models.ModelInfo;
import io.herd.api.providers.ProviderHealth;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreaker;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreakerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One circuit breaker per provider (Spring Cloud CircuitBreaker on Resilience4j): the routed provider of an
 * {@link InferenceCall} is wrapped so that its server-side failures count, and while the circuit is open
 * requests fail fast with 503 and {@code Retry-After} instead of piling up on a dead upstream.
 */
public final class CircuitBreakerFilter extends InferenceCallFilter {

    private final ReactiveCircuitBreakerFactory<?, ?> factory;
    private final Duration openWait;
    private final Map<String, ReactiveCircuitBreaker> breakers = new ConcurrentHashMap<>();

    public CircuitBreakerFilter(ReactiveCircuitBreakerFactory<?, ?> factory, Duration openWait) {
        this.factory = factory;
        this.openWait = openWait;
    }

    @Override
    public void decorate(InferenceCall call) {
        String providerId = call.route().provider().providerId();
        ReactiveCircuitBreaker breaker = breakers.computeIfAbsent(providerId, factory::create);
        call.decorateProvider(p -> new Guarded(p, breaker, providerId, openWait));
    }

    @Override
    public int getOrder() {
        return HerdFilterOrder.CIRCUIT_BREAKER;
    }

    private record Guarded(InferenceProvider delegate, ReactiveCircuitBreaker breaker, String providerId,
                           Duration openWait) implements InferenceProvider {

        private <T> Mono<T> fallback(Throwable t) {
            return Mono.error(translate(t));
        }

        private <T> Flux<T> fallbackFlux(Throwable t) {
            return Flux.error(translate(t));
        }

        private Throwable translate(Throwable t) {
            if (t instanceof CallNotPermittedException) {
                return new OverloadedException("Provider '" + providerId + "' is failing; its circuit breaker is open. "
                        + "Retry later.", openWait);
            }
            return t;
        }

        @Override
        public Mono<ChatCompletion> chatCompletion(ChatCompletionRequest request) {
            return breaker.run(delegate.chatCompletion(request), this::fallback);
        }

        @Override
        public Flux<ChatCompletionChunk> streamChatCompletion(ChatCompletionRequest request) {
            return breaker.run(delegate.streamChatCompletion(request), this::fallbackFlux);
        }

        @Override
        public Mono<Completion> completion(CompletionRequest request) {
            return breaker.run(delegate.completion(request), this::fallback);
        }

        @Override
        public Flux<Completion> streamCompletion(CompletionRequest request) {
            return breaker.run(delegate.streamCompletion(request), this::fallbackFlux);
        }

        @Override
        public Mono<EmbeddingsResponse> embeddings(EmbeddingsRequest request) {
            return breaker.run(delegate.embeddings(request), this::fallback);
        }

        @Override
        public Flux<ModelInfo> listModels() {
            return delegate.listModels();
        }

        @Override
        public Mono<ProviderHealth> health() {
            return delegate.health();
        }
    }
}
