package io.herd.gateway.grpc;

import io.herd.api.grpc.InferenceTargets;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.gateway.filter.InferenceCall;
import io.herd.gateway.filter.InferenceCalls;
import io.herd.gateway.safety.ShieldFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * gRPC requests take the REST path: {@link InferenceCalls} (validation, routing, call decorators such as the
 * circuit breaker), then the shield policy ({@link ShieldFilter#apply}: input shields before generation, a
 * refusal or output shields around the provider).
 */
final class GatewayInferenceTargets implements InferenceTargets {

    private static final Logger log = LoggerFactory.getLogger(GatewayInferenceTargets.class);

    private final InferenceCalls calls;
    private final ShieldFilter shields;

    /** @param shields null when the safety API is not configured */
    GatewayInferenceTargets(InferenceCalls calls, ShieldFilter shields) {
        this.calls = calls;
        this.shields = shields;
    }

    @Override
    public Mono<PreparedCall> prepare(Object request) {
        return Mono.defer(() -> {
            InferenceCall.Operation operation = switch (request) {
                case ChatCompletionRequest r -> InferenceCall.Operation.CHAT_COMPLETION;
                case CompletionRequest r -> InferenceCall.Operation.COMPLETION;
                case EmbeddingsRequest r -> InferenceCall.Operation.EMBEDDINGS;
                default -> throw new IllegalArgumentException("not an inference request: " + request.getClass().getName());
            };
            InferenceCall call = calls.prepare(operation, request);
            Mono<Void> shielded = shields == null ? Mono.empty()
                    : shields.apply(call, warnings -> log.warn("Shield warnings on gRPC {} for model {}: {}",
                            operation, call.requestedModel(), warnings));
            return shielded.then(Mono.fromCallable(() ->
                    new PreparedCall(call.provider(), call.providerRequest(), call.requestedModel())));
        });
    }
}
