package io.herd.gateway.web;

import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.api.inference.EmbeddingsResponse;
import io.herd.gateway.filter.InferenceCall;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * The local end of the inference routes: calls the provider the gateway filters routed the request to
 * ({@link InferenceCall}) and writes JSON or server-sent events. Responses name the model as the client did.
 */
public final class InferenceHandler {

    private final ServerSentEvents sse;

    public InferenceHandler(ServerSentEvents sse) {
        this.sse = sse;
    }

    public Mono<ServerResponse> chatCompletions(ServerRequest request) {
        InferenceCall call = InferenceCall.of(request.exchange());
        ChatCompletionRequest body = (ChatCompletionRequest) call.providerRequest();
        String model = call.requestedModel();
        if (body.isStream()) {
            return sse.respond(call.provider().streamChatCompletion(body).map(c -> c.withModel(model)), request.exchange());
        }
        return call.provider().chatCompletion(body)
                .flatMap(c -> json(c.withModel(model)));
    }

    public Mono<ServerResponse> completions(ServerRequest request) {
        InferenceCall call = InferenceCall.of(request.exchange());
        CompletionRequest body = (CompletionRequest) call.providerRequest();
        String model = call.requestedModel();
        if (body.isStream()) {
            return sse.respond(call.provider().streamCompletion(body).map(c -> c.withModel(model)), request.exchange());
        }
        return call.provider().completion(body).flatMap(c -> json(c.withModel(model)));
    }

    public Mono<ServerResponse> embeddings(ServerRequest request) {
        InferenceCall call = InferenceCall.of(request.exchange());
        EmbeddingsRequest body = (EmbeddingsRequest) call.providerRequest();
        String model = call.requestedModel();
        return call.provider().embeddings(body).flatMap(r -> body.wantsBase64()
                ? json(Base64Embeddings.of(r.withModel(model)))
                : json(r.withModel(model)));
    }

    private static Mono<ServerResponse> json(Object body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }

    /** {@code encoding_format: base64}: each vector as little-endian float32 bytes in base64, as OpenAI sends it. */
    record Base64Embeddings(String object, List<Item> data, String model, EmbeddingsResponse.EmbeddingUsage usage) {
        record Item(String object, String embedding, int index) {
        }

        static Base64Embeddings of(EmbeddingsResponse r) {
            return new Base64Embeddings(r.object(), r.data().stream().map(e -> {
                ByteBuffer bytes = ByteBuffer.allocate(e.embedding().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : e.embedding()) {
                    bytes.putFloat(f);
                }
                return new Item(e.object(), Base64.getEncoder().encodeToString(bytes.array()), e.index());
            }).toList(), r.model(), r.usage());
        }
    }
}
