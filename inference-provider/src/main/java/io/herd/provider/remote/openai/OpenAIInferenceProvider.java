package io.herd.provider.remote.openai;

import io.herd.api.common.HerdException;
import io.herd.api.common.InvalidRequestException;
import io.herd.api.common.NotFoundException;
import io.herd.api.common.OverloadedException;
import io.herd.api.common.ProviderException;
import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.api.inference.EmbeddingsResponse;
import io.herd.api.inference.InferenceProvider;
import io.herd.api.models.ModelInfo;
import io.herd.api.models.ModelType;
import io.herd.api.models.RegisteredModel;
import io.herd.api.providers.ProviderHealth;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code remote::openai}: any server that speaks the OpenAI API (vLLM, Ollama, llama.cpp server, OpenAI itself).
 * Requests are forwarded as they came (unknown fields included); streams are read as server-sent events and
 * passed on chunk by chunk with backpressure. Cancelling a stream closes the upstream connection, which
 * those servers take as "stop generating". Upstream errors keep their meaning: a 400 stays a 400 with the
 * upstream message, a 404 is an unknown model, 429/503 is overload, anything else a 502.
 */
public final class OpenAIInferenceProvider implements InferenceProvider {

    private static final String JSON = "application/json";

    private final String providerId;
    private final OpenAIProviderConfig config;
    private final List<RegisteredModel> registered;
    private final HttpClient http;
    private final JsonMapper mapper = JsonMapper.builder().build();

    public OpenAIInferenceProvider(String providerId, OpenAIProviderConfig config, List<RegisteredModel> registered) {
        this.providerId = providerId;
        this.config = config;
        this.registered = List.copyOf(registered);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(config.connectTimeoutSeconds()))
                .build();
    }

    @Override
    public Mono<ChatCompletion> chatCompletion(ChatCompletionRequest request) {
        return postJson("/chat/completions", request.toBuilder().stream(false).streamOptions(null).build(), ChatCompletion.class);
    }

    @Override
    public Flux<ChatCompletionChunk> streamChatCompletion(ChatCompletionRequest request) {
        return postStream("/chat/completions", request.toBuilder().stream(true).build(), ChatCompletionChunk.class);
    }

    @Override
    public Mono<Completion> completion(CompletionRequest request) {
        return postJson("/completions", withStream(request, false), Completion.class);
    }

    @Override
    public Flux<Completion> streamCompletion(CompletionRequest request) {
        return postStream("/completions", withStream(request, true), Completion.class);
    }

    @Override
    public Mono<EmbeddingsResponse> embeddings(EmbeddingsRequest request) {
        EmbeddingsRequest floats = new EmbeddingsRequest(request.model(), request.input(), "float", request.dimensions(),
                request.user(), request.extra());
        return postJson("/embeddings", floats, EmbeddingsResponse.class);
    }

    private static CompletionRequest withStream(CompletionRequest r, boolean stream) {
        return new CompletionRequest(r.model(), r.prompt(), r.bestOf(), r.echo(), r.frequencyPenalty(), r.logitBias(),
                r.logprobs(), r.maxTokens(), r.n(), r.presencePenalty(), r.seed(), r.stop(), stream,
                stream ? r.streamOptions() : null, r.temperature(), r.topP(), r.user(), r.suffix(), r.extra());
    }

    @Override
    public Flux<ModelInfo> listModels() {
        Map<String, ModelInfo> models = new LinkedHashMap<>();
        for (RegisteredModel m : registered) {
            models.put(m.providerModelId(), new ModelInfo(m.modelId(), m.providerModelId(), providerId, m.modelType(),
                    m.metadata(), 0));
        }
        for (String name : config.models()) {
            models.putIfAbsent(name, new ModelInfo(null, name, providerId, ModelType.LLM, null, 0));
        }
        if (!config.discoverModels()) {
            return Flux.fromIterable(models.values());
        }
        return fetchUpstreamModels().map(upstream -> {
            for (JsonNode m : upstream) {
                String name = m.path("id").asString(null);
                if (name != null) {
                    long created = m.path("created").asLong(0);
                    models.putIfAbsent(name, new ModelInfo(null, name, providerId, guessType(name), null, created));
                }
            }
            return models.values();
        }).flatMapIterable(v -> v);
    }

    private static ModelType guessType(String name) {
        return name.toLowerCase().contains("embed") ? ModelType.EMBEDDING : ModelType.LLM;
    }

    private Mono<List<JsonNode>> fetchUpstreamModels() {
        HttpRequest get = request(config.endpoint("/models")).timeout(Duration.ofSeconds(10)).GET().build();
        return send(get, HttpResponse.BodyHandlers.ofByteArray()).map(response -> {
            if (response.statusCode() / 100 != 2) {
                throw upstreamError(response.statusCode(), response.body());
            }
            JsonNode data = readTree(response.body()).path("data");
            return data.isArray() ? data.valueStream().toList() : List.<JsonNode>of();
        });
    }

    @Override
    public Mono<ProviderHealth> health() {
        return fetchUpstreamModels().map(m -> ProviderHealth.ok())
                .onErrorResume(e -> Mono.just(ProviderHealth.error(config.baseUrl() + ": " + e.getMessage())));
    }

    private <T> Mono<T> postJson(String path, Object body, Class<T> type) {
        return Mono.defer(() -> {
            HttpRequest post = request(config.endpoint(path)).timeout(config.timeout())
                    .header("Content-Type", JSON)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body))).build();
            return send(post, HttpResponse.BodyHandlers.ofByteArray()).map(response -> {
                if (response.statusCode() / 100 != 2) {
                    throw upstreamError(response.statusCode(), response.body());
                }
                try {
                    return mapper.readValue(response.body(), type);
                } catch (JacksonException e) {
                    throw new ProviderException(config.baseUrl() + path + " answered with unreadable JSON: "
                            + e.getOriginalMessage(), response.statusCode(), e);
                }
            });
        });
    }

    private <T> Flux<T> postStream(String path, Object body, Class<T> type) {
        return Flux.defer(() -> {
            HttpRequest post = request(config.endpoint(path))
                    .header("Content-Type", JSON)
                    .header("Accept", "text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body))).build();
            return send(post, HttpResponse.BodyHandlers.ofPublisher()).flatMapMany(response -> {
                Flux<ByteBuffer> bytes = JdkFlowAdapter.flowPublisherToFlux(response.body())
                        .concatMapIterable(list -> list, 1);
                if (response.statusCode() / 100 != 2) {
                    return collect(bytes).map(b -> {
                        throw upstreamError(response.statusCode(), b);
                    });
                }
                SseDecoder decoder = new SseDecoder();
                return bytes.concatMapIterable(decoder::feed, 4)
                        .concatWith(Flux.defer(() -> Flux.fromIterable(decoder.finish())))
                        .timeout(config.timeout())
                        .takeWhile(data -> !"[DONE]".equals(data.strip()))
                        .map(data -> parseEvent(data, type, path));
            });
        }).onErrorMap(e -> !(e instanceof HerdException), this::transportError);
    }

    private <T> T parseEvent(String data, Class<T> type, String path) {
        JsonNode tree = readTree(data.getBytes(StandardCharsets.UTF_8));
        if (tree.has("error")) {
            throw upstreamErrorFromBody(tree.path("error"), tree.path("error").path("code").asInt(502));
        }
        try {
            return mapper.treeToValue(tree, type);
        } catch (JacksonException e) {
            throw new ProviderException(config.baseUrl() + path + " sent an unreadable stream event: "
                    + e.getOriginalMessage(), 200, e);
        }
    }

    private static Mono<byte[]> collect(Flux<ByteBuffer> bytes) {
        return bytes.reduce(new ByteArrayOutputStream(), (out, buf) -> {
            byte[] chunk = new byte[buf.remaining()];
            buf.get(chunk);
            out.writeBytes(chunk);
            return out;
        }).map(ByteArrayOutputStream::toByteArray);
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (config.apiKey() != null) {
            b.header("Authorization", "Bearer " + config.apiKey());
        }
        return b;
    }

    private <T> Mono<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return Mono.fromFuture(() -> http.sendAsync(request, handler), false)
                .onErrorMap(e -> !(e instanceof HerdException), this::transportError);
    }

    private Throwable transportError(Throwable e) {
        Throwable cause = e.getCause() != null && e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
        if (cause instanceof HerdException) {
            return cause;
        }
        if (cause instanceof HttpTimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
            return new ProviderException("Provider '" + providerId + "' (" + config.baseUrl() + ") timed out", 0, cause);
        }
        if (cause instanceof ConnectException) {
            return new ProviderException("Provider '" + providerId + "' cannot reach " + config.baseUrl() + ": connection refused", 0, cause);
        }
        return new ProviderException("Provider '" + providerId + "' (" + config.baseUrl() + ") failed: " + cause, 0, cause);
    }

    private JsonNode readTree(byte[] body) {
        try {
            return mapper.readTree(body);
        } catch (JacksonException e) {
            throw new ProviderException("Provider '" + providerId + "' sent invalid JSON: " + e.getOriginalMessage(), 200, e);
        }
    }

    private HerdException upstreamError(int status, byte[] body) {
        JsonNode error;
        try {
            JsonNode tree = mapper.readTree(body);
            error = tree.has("error") ? tree.path("error") : tree;
        } catch (JacksonException e) {
            error = mapper.createObjectNode().put("message", new String(body, StandardCharsets.UTF_8));
        }
        return upstreamErrorFromBody(error, status);
    }

    private HerdException upstreamErrorFromBody(JsonNode error, int status) {
        String message = error.isString() ? error.asString() : error.path("message").asString(error.toString());
        String param = error.path("param").isString() ? error.path("param").asString() : null;
        String code = error.path("code").isString() ? error.path("code").asString() : null;
        String where = "Provider '" + providerId + "': ";
        return switch (status) {
            case 400, 422 -> new InvalidRequestException(where + message, param, code, null);
            case 404 -> new NotFoundException(where + message, code == null ? "model_not_found" : code, param);
            case 429, 503 -> new OverloadedException(where + message, null);
            default -> new ProviderException(where + "upstream answered " + status + ": " + message, status, null);
        };
    }

    @Override
    public void close() {
        http.close();
    }
}
