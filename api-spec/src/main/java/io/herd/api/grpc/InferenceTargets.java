package io.herd.api.grpc;

import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.api.inference.InferenceProvider;
import reactor.core.publisher.Mono;

/**
 * How a gRPC front end turns a request into a provider call: the gateway through the same validation, routing
 * and decorators as REST, a worker through its one in-process provider. Same rule as REST: the provider
 * sees its own model name, the client its own.
 */
@FunctionalInterface
public interface InferenceTargets {

    /**
     * Validates and routes a {@link ChatCompletionRequest}, {@link CompletionRequest} or {@link EmbeddingsRequest}.
     *
     * Errors with a {@link io.herd.api.common.HerdException} for an invalid request (400) or an unknown model (404).
     * Asynchronous because a front end may check the request first (input shields).
     */
    Mono<PreparedCall> prepare(Object request);

    /**
     * @param provider        who serves the request
     * @param providerRequest the request as the provider must see it (its own model name)
     * @param clientModelId   the {@code model} answers carry back to the client
     */
    record PreparedCall(InferenceProvider provider, Object providerRequest, String clientModelId) {
    }

    /** The usual preparation for front ends that only need to map a model id: validate, resolve, rename. */
    static PreparedCall validateAndResolve(Object request, java.util.function.Function<String, Target> resolver) {
        return switch (request) {
            case ChatCompletionRequest r -> {
                Target t = resolver.apply(r.validate().model());
                yield new PreparedCall(t.provider(), r.withModel(t.providerModelId()), t.clientModelId());
            }
            case CompletionRequest r -> {
                Target t = resolver.apply(r.validate().model());
                yield new PreparedCall(t.provider(), r.withModel(t.providerModelId()), t.clientModelId());
            }
            case EmbeddingsRequest r -> {
                Target t = resolver.apply(r.validate().model());
                yield new PreparedCall(t.provider(), r.withModel(t.providerModelId()), t.clientModelId());
            }
            default -> throw new IllegalArgumentException("not an inference request: " + request.getClass().getName());
        };
    }

    /** Where a model id leads. */
    record Target(InferenceProvider provider, String providerModelId, String clientModelId) {
    }
}
