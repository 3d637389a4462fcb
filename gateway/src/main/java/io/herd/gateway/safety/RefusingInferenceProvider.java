package io.herd.gateway.safety;

import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.InferenceProvider;
import io.herd.api.models.ModelInfo;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Stands in for the real provider when an input shield blocked: answers with the refusal, generates nothing. */
final class RefusingInferenceProvider implements InferenceProvider {

    private final String message;

    RefusingInferenceProvider(String message) {
        this.message = message;
    }

    @Override
    public Mono<ChatCompletion> chatCompletion(ChatCompletionRequest request) {
        return Mono.fromSupplier(() -> Refusals.chat(request.model(), message));
    }

    @Override
    public Flux<ChatCompletionChunk> streamChatCompletion(ChatCompletionRequest request) {
        return Refusals.chatStream(request.model(), message);
    }

    @Override
    public Mono<Completion> completion(CompletionRequest request) {
        return Mono.fromSupplier(() -> Refusals.completion(request.model(), message));
    }

    @Override
    public Flux<Completion> streamCompletion(CompletionRequest request) {
        return Flux.just(Refusals.completion(request.model(), message));
    }

    @Override
    public Flux<ModelInfo> listModels() {
        return Flux.empty();
    }
}
