package io.herd.api.grpc;

import io.grpc.stub.StreamObserver;
import io.herd.api.common.InvalidRequestException;
import io.herd.api.grpc.v1.GetModelRequest;
import io.herd.api.grpc.v1.ListModelsRequest;
import io.herd.api.grpc.v1.ListModelsResponse;
import io.herd.api.grpc.v1.Model;
import io.herd.api.grpc.v1.ModelsServiceGrpc;
import io.herd.api.models.ModelInfo;
import reactor.core.publisher.Mono;

import java.util.List;

/** The {@code herd.v1.ModelsService} over a {@link ModelCatalog}. */
public final class ModelsGrpcService extends ModelsServiceGrpc.ModelsServiceImplBase {

    private final ModelCatalog catalog;

    public ModelsGrpcService(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> observer) {
        ReactiveCalls.unary(() -> catalog.listModels().collectList(), ModelsGrpcService::toList, observer);
    }

    @Override
    public void getModel(GetModelRequest request, StreamObserver<Model> observer) {
        ReactiveCalls.unary(() -> {
            if (request.getModelId().isBlank()) {
                return Mono.error(new InvalidRequestException("'model_id' is required", "model_id"));
            }
            return catalog.getModel(request.getModelId());
        }, ProtoMapper::toProto, observer);
    }

    private static ListModelsResponse toList(List<ModelInfo> models) {
        ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
        models.forEach(m -> b.addData(ProtoMapper.toProto(m)));
        return b.build();
    }
}
