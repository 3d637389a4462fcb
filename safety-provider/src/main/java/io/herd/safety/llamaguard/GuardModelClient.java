package io.herd.safety.llamaguard;

import io.herd.api.inference.ChatCompletionRequest;
import reactor.core.publisher.Mono;

/**
 * How Llama Guard reaches its model: the gateway injects a client backed by its model router, so the guard model
 * can be any registered model (in-process engine, worker, or a remote OpenAI-compatible server).
 */
@FunctionalInterface
public interface GuardModelClient {

    /** @return the text of the first choice's message */
    Mono<String> complete(ChatCompletionRequest request);
}
