package io.herd.gateway.web;

import io.herd.api.common.NotFoundException;
import io.herd.api.models.Model;
import io.herd.api.models.ModelList;
import io.herd.api.models.OpenAIModel;
import io.herd.api.providers.ProviderDescriptor;
import io.herd.api.providers.ProviderHealth;
import io.herd.gateway.provider.ModelRouter;
import io.herd.gateway.provider.ProviderRegistry;
import io.herd.gateway.route.ApiRoute;
import io.herd.gateway.route.ApiRoutes;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Models, providers, health, version and route inspection. */
public final class CatalogHandler {

    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(key|token|secret|password|credential).*");
    private static final String MODELS_PREFIX = ApiRoutes.INTERNAL_PREFIX + "/v1/models/";

    private final ModelRouter models;
    private final ProviderRegistry providers;
    private final ApiRoutes routes;
    private final String version;

    public CatalogHandler(ModelRouter models, ProviderRegistry providers, ApiRoutes routes, String version) {
        this.models = models;
        this.providers = providers;
        this.routes = routes;
        this.version = version;
    }

    public Mono<ServerResponse> listModels(ServerRequest request) {
        return models.listModels().map(OpenAIModel::from).collectList()
                .flatMap(list -> json(ModelList.of(list)));
    }

    /** The id is everything after {@code /v1/models/}: ids such as {@code ollama/llama3.2:3b} contain slashes. */
    public Mono<ServerResponse> getModel(ServerRequest request) {
        String raw = request.requestPath().pathWithinApplication().value();
        String id = URLDecoder.decode(raw.substring(MODELS_PREFIX.length()), StandardCharsets.UTF_8);
        return models.listModels().filter(m -> m.identifier().equals(id)).next()
                .switchIfEmpty(Mono.error(() -> NotFoundException.model(id)))
                .flatMap(m -> json(Model.from(m)));
    }

    public Mono<ServerResponse> listProviders(ServerRequest request) {
        return Flux.fromIterable(providers.inferenceProviders())
                .flatMapSequential(this::describe)
                .collectList()
                .flatMap(list -> json(Map.of("data", list)));
    }

    public Mono<ServerResponse> getProvider(ServerRequest request) {
        String id = request.pathVariable("provider_id");
        return Mono.justOrEmpty(providers.inferenceProvider(id))
                .switchIfEmpty(Mono.error(() -> new NotFoundException("Provider '" + id + "' not found. "
                        + "List the providers with GET /v1/providers.", "provider_not_found", "provider_id")))
                .flatMap(this::describe)
                .flatMap(CatalogHandler::json);
    }

    private Mono<ProviderDescriptor> describe(ProviderRegistry.InferenceProviderEntry e) {
        return e.provider().health()
                .timeout(HEALTH_TIMEOUT)
                .onErrorResume(t -> Mono.just(ProviderHealth.error(t.getMessage() == null ? t.toString() : t.getMessage())))
                .map(h -> new ProviderDescriptor("inference", e.providerId(), e.providerType(), redact(e.config().config()), h));
    }

    /** Provider configs hold API keys; {@code /v1/providers} must not echo them. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> redact(Map<String, Object> config) {
        Map<String, Object> out = new LinkedHashMap<>();
        config.forEach((k, v) -> {
            if (SECRET_KEY.matcher(k).matches() && v != null) {
                out.put(k, "********");
            } else if (v instanceof Map<?, ?> nested) {
                out.put(k, redact((Map<String, Object>) nested));
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    public Mono<ServerResponse> health(ServerRequest request) {
        return json(Map.of("status", "OK"));
    }

    public Mono<ServerResponse> version(ServerRequest request) {
        return json(Map.of("version", version));
    }

    public Mono<ServerResponse> inspectRoutes(ServerRequest request) {
        List<String> inferenceTypes = providers.inferenceProviders().stream()
                .map(ProviderRegistry.InferenceProviderEntry::providerType).distinct().toList();
        List<Map<String, Object>> data = routes.all().stream().map(r -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("route", r.displayPath());
            item.put("method", r.method().name());
            item.put("provider_types", providerTypes(r, inferenceTypes));
            return item;
        }).toList();
        return json(Map.of("data", data));
    }

    private static List<String> providerTypes(ApiRoute route, List<String> inferenceTypes) {
        return "inference".equals(route.api()) || "models".equals(route.api()) ? inferenceTypes : List.of();
    }

    private static Mono<ServerResponse> json(Object body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }
}
