package io.herd.api.grpc;

import io.herd.api.models.ModelInfo;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The models a gRPC front end lists and looks up (GET /v1/models and GET /v1/models/{id} over gRPC). */
public interface ModelCatalog {

    Flux<ModelInfo> listModels();

    /** Errors with {@link io.herd.api.common.NotFoundException} for an unknown id. */
    Mono<ModelInfo> getModel(String modelId);
}
