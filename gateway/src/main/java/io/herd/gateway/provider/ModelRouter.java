package io.herd.gateway.provider;

import io.herd.api.common.NotFoundException;
import io.herd.api.models.ModelInfo;
import io.herd.gateway.config.HerdConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Model id to provider. Ids may contain {@code /}. Resolution order: models registered in
 * {@code config.yaml}; models a provider reported from {@link io.herd.api.inference.InferenceProvider#listModels()}
 * (remembered from the last listing); and Llama Stack's {@code <provider_id>/<provider_model_id>} form for any
 * enabled provider, so a remote's models work without being listed first.
 */
public final class ModelRouter {

    private static final Logger log = LoggerFactory.getLogger(ModelRouter.class);
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(10);

    private final ProviderRegistry providers;
    private final Map<String, RoutedModel> registered = new LinkedHashMap<>();
    private final Map<String, RoutedModel> discovered = new ConcurrentHashMap<>();

    public ModelRouter(HerdConfig config, ProviderRegistry providers) {
        this.providers = providers;
        long created = Instant.now().getEpochSecond();
        for (var m : config.registeredResources().models()) {
            var entry = providers.inferenceProvider(m.providerId()).orElseThrow();
            registered.put(m.modelId(), new RoutedModel(new ModelInfo(m.modelId(), m.providerModelId(), m.providerId(),
                    m.modelType(), m.metadata(), created), entry));
        }
    }

    /** @throws NotFoundException (404, code {@code model_not_found}) when no provider serves {@code modelId} */
    public RoutedModel resolve(String modelId) {
        RoutedModel hit = registered.get(modelId);
        if (hit == null) {
            hit = discovered.get(modelId);
        }
        if (hit == null) {
            hit = byProviderPrefix(modelId).orElseThrow(() -> NotFoundException.model(modelId));
        }
        return hit;
    }

    private Optional<RoutedModel> byProviderPrefix(String modelId) {
        int slash = modelId.indexOf('/');
        if (slash <= 0 || slash == modelId.length() - 1) {
            return Optional.empty();
        }
        return providers.inferenceProvider(modelId.substring(0, slash)).map(entry -> new RoutedModel(
                new ModelInfo(modelId, modelId.substring(slash + 1), entry.providerId(), null, null,
                        Instant.now().getEpochSecond()), entry));
    }

    /**
     * Registered models followed by what each provider reports. A provider that fails or is slow to list
     * is skipped with a warning: one unreachable upstream must not hide every other model.
     */
    public Flux<ModelInfo> listModels() {
        Map<String, ModelInfo> byId = new LinkedHashMap<>();
        registered.forEach((id, r) -> byId.put(id, r.model()));
        return Flux.fromIterable(providers.inferenceProviders())
                .flatMapSequential(entry -> entry.provider().listModels()
                        .map(m -> normalize(m, entry))
                        .collectList()
                        .timeout(LIST_TIMEOUT)
                        .onErrorResume(e -> {
                            log.warn("Listing the models of provider {} failed: {}", entry.providerId(), e.toString());
                            return reactor.core.publisher.Mono.just(List.of());
                        })
                        .map(list -> Map.entry(entry, list)))
                .collectList()
                .flatMapIterable(results -> {
                    for (var result : results) {
                        for (ModelInfo m : result.getValue()) {
                            if (byId.containsKey(m.identifier()) || isRegisteredResource(m)) {
                                continue;
                            }
                            byId.put(m.identifier(), m);
                            discovered.put(m.identifier(), new RoutedModel(m, result.getKey()));
                        }
                    }
                    return List.copyOf(byId.values());
                });
    }

    private boolean isRegisteredResource(ModelInfo m) {
        return registered.values().stream().anyMatch(r -> r.model().providerId().equals(m.providerId())
                && r.model().providerResourceId().equals(m.providerResourceId()));
    }

    /** Fills in what a provider may leave out: its id, and the {@code <provider_id>/<name>} identifier. */
    private static ModelInfo normalize(ModelInfo m, ProviderRegistry.InferenceProviderEntry entry) {
        String resource = m.providerResourceId() != null ? m.providerResourceId() : m.identifier();
        String identifier = m.identifier() != null ? m.identifier() : entry.providerId() + "/" + resource;
        long created = m.created() > 0 ? m.created() : Instant.now().getEpochSecond();
        return new ModelInfo(identifier, resource, entry.providerId(), m.modelType(), m.metadata(), created);
    }
}
