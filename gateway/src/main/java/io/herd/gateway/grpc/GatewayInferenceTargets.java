package io.herd.gateway.grpc;

import io.herd.api.grpc.InferenceTargets;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.gateway.filter.InferenceCall;
import io.herd.gateway.filter.InferenceCalls;
import reactor.core.publisher.Mono;

/**
 * gRPC requests go through the gateway's {@link InferenceCalls}: the validation, routing and call decorators
 * (circuit breaker, shields) of REST, so a model answers the same on both APIs.
 */
final class GatewayInferenceTargets implements InferenceTargets {

    private final InferenceCalls calls;

    GatewayInferenceTargets(InferenceCalls calls) {
        this.calls = calls;
    }

    @Override
    public Mono<PreparedCall> prepare(Object request) {
        return Mono.fromCallable(() -> {
            InferenceCall.Operation operation = switch (request) {
                case ChatCompletionRequest r -> InferenceCall.Operation.CHAT_COMPLETION;
                case CompletionRequest r -> InferenceCall.Operation.COMPLETION;
                case EmbeddingsRequest r -> InferenceCall.Operation.EMBEDDINGS;
                default -> throw new IllegalArgumentException("not an inference request: " + request.getClass().getName());
            };
            // the shield decorator wraps the provider: input shields run when the call is subscribed to
            InferenceCall call = calls.prepare(operation, request);
            return new PreparedCall(call.provider(), call.providerRequest(), call.requestedModel());
        });
    }
}
