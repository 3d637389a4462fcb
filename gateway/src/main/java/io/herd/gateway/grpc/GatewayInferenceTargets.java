package io.herd.gateway.grpc;

import io.herd.api.common.NotImplementedException;
import io.herd.api.grpc.InferenceTargets;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.gateway.config.HerdConfig;
import io.herd.gateway.filter.InferenceCall;
import io.herd.gateway.filter.InferenceCalls;

import java.util.List;
import java.util.Map;

/**
 * gRPC requests go through the gateway's {@link InferenceCalls}: the validation, routing and call decorators
 * (circuit breaker, ...) of REST. The shield policy still runs as an asynchronous REST filter only: rather than
 * serve a model unguarded, gRPC refuses models that have shields.
 */
final class GatewayInferenceTargets implements InferenceTargets {

    private final InferenceCalls calls;
    private final HerdConfig.ShieldPolicy policy;

    GatewayInferenceTargets(InferenceCalls calls, HerdConfig.ShieldPolicy policy) {
        this.calls = calls;
        this.policy = policy;
    }

    @Override
    public PreparedCall prepare(Object request) {
        InferenceCall.Operation operation = switch (request) {
            case ChatCompletionRequest r -> InferenceCall.Operation.CHAT_COMPLETION;
            case CompletionRequest r -> InferenceCall.Operation.COMPLETION;
            case EmbeddingsRequest r -> InferenceCall.Operation.EMBEDDINGS;
            default -> throw new IllegalArgumentException("not an inference request: " + request.getClass().getName());
        };
        InferenceCall call = calls.prepare(operation, request);
        if (operation != InferenceCall.Operation.EMBEDDINGS && isShielded(call.route().model().metadata())) {
            throw new NotImplementedException("Model '" + call.requestedModel() + "' is guarded by shields (shield_policy), "
                    + "which the gRPC API does not apply yet; use the REST API for this model.");
        }
        return new PreparedCall(call.provider(), call.providerRequest(), call.requestedModel());
    }

    /** A model's {@code metadata.shield_policy} overrides the global lists, as in the REST shield filter. */
    private boolean isShielded(Map<String, Object> metadata) {
        List<?> input = policy.inputShields();
        List<?> output = policy.outputShields();
        if (metadata.get("shield_policy") instanceof Map<?, ?> override) {
            if (override.get("input_shields") instanceof List<?> l) {
                input = l;
            }
            if (override.get("output_shields") instanceof List<?> l) {
                output = l;
            }
        }
        return !input.isEmpty() || !output.isEmpty();
    }
}
