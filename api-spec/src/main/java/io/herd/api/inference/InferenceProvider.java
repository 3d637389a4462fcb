package io.herd.api.inference;

import io.herd.api.common.NotImplementedException;
import io.herd.api.models.ModelInfo;
import io.herd.api.providers.ProviderHealth;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The inference SPI: what every inference provider ({@code inline::herd}, {@code remote::openai},
 * {@code remote::herd-worker}, ...) implements. It knows nothing of HTTP or gRPC.
 *
 * <p>Contract:
 * <ul>
 *   <li>Requests arrive validated ({@code validate()} passed) with {@code model} set to the provider's own
 *       name for the model ({@link ModelInfo#providerResourceId()}); the front end maps ids back.</li>
 *   <li>Nothing happens before subscription. Streams honour backpressure; cancelling the subscription
 *       (a client that disconnects) must stop the generation and free its resources promptly.</li>
 *   <li>Failures are signalled as {@link io.herd.api.common.HerdException}s (e.g.
 *       {@link io.herd.api.common.ContextLengthExceededException}); anything else becomes a 500.</li>
 *   <li>Streaming chat: the first chunk's delta carries {@code role: assistant}; the last content chunk
 *       carries {@code finish_reason}; when {@code stream_options.include_usage} is set, a final chunk with
 *       empty {@code choices} carries the usage.</li>
 * </ul>
 */
public interface InferenceProvider extends AutoCloseable {

    Mono<ChatCompletion> chatCompletion(ChatCompletionRequest request);

    Flux<ChatCompletionChunk> streamChatCompletion(ChatCompletionRequest request);

    default Mono<Completion> completion(CompletionRequest request) {
        return Mono.error(new NotImplementedException("This provider does not implement /v1/completions"));
    }

    /** Streaming text completion: each element carries the next piece of text. */
    default Flux<Completion> streamCompletion(CompletionRequest request) {
        return Flux.error(new NotImplementedException("This provider does not implement streaming /v1/completions"));
    }

    default Mono<EmbeddingsResponse> embeddings(EmbeddingsRequest request) {
        return Mono.error(new NotImplementedException("This provider does not implement /v1/embeddings"));
    }

    /**
     * The models this provider serves: at least those registered for it in the configuration, plus any it
     * discovers (a remote server's {@code /v1/models}).
     */
    Flux<ModelInfo> listModels();

    default Mono<ProviderHealth> health() {
        return Mono.just(ProviderHealth.notImplemented());
    }

    /** Frees models, threads and connections; called once when the server stops. */
    @Override
    default void close() {
    }
}
