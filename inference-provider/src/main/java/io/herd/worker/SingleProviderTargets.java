package io.herd.worker;

import io.herd.api.common.NotFoundException;
import io.herd.api.grpc.InferenceTargets;
import io.herd.api.grpc.ModelCatalog;
import io.herd.api.inference.InferenceProvider;
import io.herd.api.models.ModelInfo;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * A worker's models: those its one provider loaded, addressed by their id. Callers (the gateway's
 * {@code remote::herd-worker} provider) may also use the provider's own name (the file path).
 */
final class SingleProviderTargets implements InferenceTargets, ModelCatalog {

    private final InferenceProvider provider;
    private final List<ModelInfo> models;

    SingleProviderTargets(InferenceProvider provider) {
        this.provider = provider;
        this.models = provider.listModels().collectList().block();
    }

    @Override
    public Mono<PreparedCall> prepare(Object request) {
        return Mono.fromCallable(() -> InferenceTargets.validateAndResolve(request, modelId -> {
            ModelInfo model = find(modelId);
            return new Target(provider, model.providerResourceId(), model.identifier());
        }));
    }

    private ModelInfo find(String modelId) {
        return models.stream()
                .filter(m -> m.identifier().equals(modelId) || modelId.equals(m.providerResourceId()))
                .findFirst()
                .orElseThrow(() -> new NotFoundException("Model '" + modelId + "' is not served by this worker (it serves "
                        + models.stream().map(ModelInfo::identifier).toList() + ")", "model_not_found", "model"));
    }

    @Override
    public Flux<ModelInfo> listModels() {
        return Flux.fromIterable(models);
    }

    @Override
    public Mono<ModelInfo> getModel(String modelId) {
        return Mono.fromCallable(() -> find(modelId));
    }
}
