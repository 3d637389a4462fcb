package io.herd.gateway.grpc;

import io.herd.api.common.NotImplementedException;
import io.herd.api.grpc.InferenceTargets;
import io.herd.gateway.config.HerdConfig;
import io.herd.gateway.provider.ModelRouter;
import io.herd.gateway.provider.RoutedModel;

import java.util.List;
import java.util.Map;

/**
 * gRPC requests resolve their model through the same router as REST requests. The shield policy runs as
 * REST gateway filters only so far: rather than serve a model unguarded, gRPC refuses models that have shields.
 */
final class GatewayInferenceTargets implements InferenceTargets {

    private final ModelRouter router;
    private final HerdConfig.ShieldPolicy policy;

    GatewayInferenceTargets(ModelRouter router, HerdConfig.ShieldPolicy policy) {
        this.router = router;
        this.policy = policy;
    }

    @Override
    public Target resolve(String modelId) {
        RoutedModel route = router.resolve(modelId);
        if (isShielded(route.model().metadata())) {
            throw new NotImplementedException("Model '" + modelId + "' is guarded by shields (shield_policy), which the gRPC API "
                    + "does not apply yet; use the REST API (POST /v1/chat/completions) for this model.");
        }
        return new Target(route.provider().provider(), route.providerModelId(), route.model().identifier());
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
