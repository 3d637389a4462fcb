package io.herd.gateway.grpc;

import io.herd.api.grpc.InferenceTargets;
import io.herd.gateway.provider.ModelRouter;
import io.herd.gateway.provider.RoutedModel;

/** gRPC requests resolve their model through the same router as REST requests. */
final class GatewayInferenceTargets implements InferenceTargets {

    private final ModelRouter router;

    GatewayInferenceTargets(ModelRouter router) {
        this.router = router;
    }

    @Override
    public Target resolve(String modelId) {
        RoutedModel route = router.resolve(modelId);
        return new Target(route.provider().provider(), route.providerModelId(), route.model().identifier());
    }
}
