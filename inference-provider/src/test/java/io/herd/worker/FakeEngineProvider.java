package io.herd.worker;

import io.herd.api.common.ContextLengthExceededException;
import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.api.inference.EmbeddingsResponse;
import io.herd.api.inference.InferenceProvider;
import io.herd.api.inference.Prompt;
import io.herd.api.inference.Role;
import io.herd.api.inference.Usage;
import io.herd.api.models.ModelInfo;
import io.herd.api.models.ModelType;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test double of an engine provider serving model {@code tiny} (file {@code /models/tiny.gguf}): it echoes the
 * last user message word by word. Prompts over 8 words exceed its context; the message {@code endless}
 * streams forever (counting cancellations), {@code stall} never answers.
 */
final class FakeEngineProvider implements InferenceProvider {

    static final String FILE = "/models/tiny.gguf";
    final AtomicInteger cancellations = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    private static String[] words(ChatCompletionRequest request) {
        String text = request.messages().getLast().text().strip();
        String[] words = text.isEmpty() ? new String[0] : text.split("\\s+");
        if (words.length > 8) {
            throw new ContextLengthExceededException(words.length, 8, "messages");
        }
        return words;
    }

    @Override
    public Mono<ChatCompletion> chatCompletion(ChatCompletionRequest request) {
        if (request.messages().getLast().text().equals("stall")) {
            return Mono.never();
        }
        return Mono.fromCallable(() -> {
            String[] words = words(request);
            return ChatCompletion.of("chatcmpl-1", 1700000000L, request.model(),
                    List.of(new ChatCompletion.Choice(0, ChatMessage.assistant(String.join(" ", words)), "stop")),
                    Usage.of(words.length, words.length));
        });
    }

    @Override
    public Flux<ChatCompletionChunk> streamChatCompletion(ChatCompletionRequest request) {
        if (request.messages().getLast().text().equals("endless")) {
            // Pull-based like a real generation (Flux.interval would fail when the consumer is slow to ask).
            return Flux.<Long, Long>generate(() -> 0L, (i, sink) -> {
                        sink.next(i);
                        return i + 1;
                    })
                    .delayElements(Duration.ofMillis(10))
                    .map(i -> ChatCompletionChunk.of("chatcmpl-e", 1L, request.model(),
                            new ChatCompletionChunk.ChunkChoice(0, ChatCompletionChunk.Delta.content("w" + i), null)))
                    .doOnCancel(cancellations::incrementAndGet);
        }
        return Flux.defer(() -> {
            String[] words = words(request);
            List<ChatCompletionChunk> chunks = new ArrayList<>();
            chunks.add(ChatCompletionChunk.of("chatcmpl-s", 1L, request.model(),
                    new ChatCompletionChunk.ChunkChoice(0, ChatCompletionChunk.Delta.role(Role.ASSISTANT), null)));
            for (int i = 0; i < words.length; i++) {
                chunks.add(ChatCompletionChunk.of("chatcmpl-s", 1L, request.model(),
                        new ChatCompletionChunk.ChunkChoice(0, ChatCompletionChunk.Delta.content((i == 0 ? "" : " ") + words[i]), null)));
            }
            chunks.add(ChatCompletionChunk.of("chatcmpl-s", 1L, request.model(),
                    new ChatCompletionChunk.ChunkChoice(0, ChatCompletionChunk.Delta.empty(), "stop")));
            if (request.streamOptions() != null && request.streamOptions().wantsUsage()) {
                chunks.add(ChatCompletionChunk.usageOnly("chatcmpl-s", 1L, request.model(), Usage.of(words.length, words.length)));
            }
            return Flux.fromIterable(chunks);
        });
    }

    @Override
    public Mono<Completion> completion(CompletionRequest request) {
        return Mono.fromCallable(() -> Completion.of("cmpl-1", 1L, request.model(), List.of(new Completion.CompletionChoice(0,
                ((Prompt.Texts) request.prompt()).texts().getFirst().toUpperCase(), "length")), Usage.of(1, 1)));
    }

    @Override
    public Mono<EmbeddingsResponse> embeddings(EmbeddingsRequest request) {
        return Mono.fromCallable(() -> EmbeddingsResponse.of(List.of(EmbeddingsResponse.Embedding.of(0, new float[] {1.5f, -2f})),
                request.model(), new EmbeddingsResponse.EmbeddingUsage(2, 2)));
    }

    @Override
    public Flux<ModelInfo> listModels() {
        return Flux.just(new ModelInfo("tiny", FILE, "worker", ModelType.LLM, Map.of("context_length", 8), 0));
    }

    @Override
    public void close() {
        closed.incrementAndGet();
    }
}
