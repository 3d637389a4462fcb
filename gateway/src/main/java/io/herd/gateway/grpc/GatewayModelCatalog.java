package io.herd.gateway.grpc;

import io.herd.api.grpc.ModelCatalog;
import io.herd.api.models.ModelInfo;
import io.herd.gateway.provider.ModelRouter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The models of GET /v1/models, for the gRPC ModelsService. */
final class GatewayModelCatalog implements ModelCatalog {

    private final ModelRouter router;

    GatewayModelCatalog(ModelRouter router) {
        this.router = router;
    }

    @Override
    public Flux<ModelInfo> listModels() {
        return router.listModels();
    }

    @Override
    public Mono<ModelInfo> getModel(String modelId) {
        return Mono.fromCallable(() -> router.resolve(modelId).model());
    }
}
