package io.herd.gateway.safety;

import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Completion;
import io.herd.api.inference.FinishReason;
import io.herd.api.inference.Role;
import io.herd.api.inference.Usage;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;

/**
 * A shield's refusal as an ordinary answer: the assistant says the shield's {@code user_message} and the choice
 * ends with {@code finish_reason: content_filter}, as Llama Stack agents turn a violation into a normal message.
 */
final class Refusals {

    private Refusals() {
    }

    static ChatCompletion chat(String model, String message) {
        return ChatCompletion.of("chatcmpl-" + UUID.randomUUID(), Instant.now().getEpochSecond(), model,
                List.of(new ChatCompletion.Choice(0, ChatMessage.assistant(message), FinishReason.CONTENT_FILTER)), Usage.of(0, 0));
    }

    static Flux<ChatCompletionChunk> chatStream(String model, String message) {
        String id = "chatcmpl-" + UUID.randomUUID();
        long created = Instant.now().getEpochSecond();
        return Flux.just(
                ChatCompletionChunk.of(id, created, model, new ChatCompletionChunk.ChunkChoice(0, ChatCompletionChunk.Delta.role(Role.ASSISTANT), null)),
                ChatCompletionChunk.of(id, created, model, new ChatCompletionChunk.ChunkChoice(0, ChatCompletionChunk.Delta.content(message), null)),
                ChatCompletionChunk.of(id, created, model, new ChatCompletionChunk.ChunkChoice(0, ChatCompletionChunk.Delta.empty(),
                        FinishReason.CONTENT_FILTER)));
    }

    static Completion completion(String model, String message) {
        return Completion.of("cmpl-" + UUID.randomUUID(), Instant.now().getEpochSecond(), model,
                List.of(new Completion.CompletionChoice(0, message, FinishReason.CONTENT_FILTER)), Usage.of(0, 0));
    }
}
