package io.herd.gateway.support;

import io.herd.api.common.ContextLengthExceededException;
import io.herd.api.common.ProviderException;
import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionChunk.ChunkChoice;
import io.herd.api.inference.ChatCompletionChunk.Delta;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.api.inference.EmbeddingsResponse;
import io.herd.api.inference.FinishReason;
import io.herd.api.inference.InferenceProvider;
import io.herd.api.inference.Prompt;
import io.herd.api.inference.Role;
import io.herd.api.inference.Usage;
import io.herd.api.models.ModelInfo;
import io.herd.api.models.RegisteredModel;
import io.herd.api.providers.ProviderHealth;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test double: a provider whose behaviour is chosen by the provider model id.
 * {@code echo} repeats the last user message word by word (context: {@value #CONTEXT_WORDS} words);
 * {@code endless} streams a word every 20 ms until cancelled (and counts cancellations);
 * {@code broken} always fails as an upstream would; {@code midfail} streams one chunk, then fails;
 * {@code guard} plays a Llama Guard model: it answers the verdict the checked conversation asks for
 * ({@value #VIOLENT} -> {@code unsafe\nS1}, {@value #ELECTION} -> {@code unsafe\nS6}, {@value #GARBLED} -> an
 * answer that is no verdict, anything else {@code safe}).
 */
public final class ScriptedInferenceProvider implements InferenceProvider {

    public static final int CONTEXT_WORDS = 64;
    public static final String VIOLENT = "VIOLENT-PLAN";
    public static final String ELECTION = "ELECTION-RUMOR";
    public static final String GARBLED = "GARBLED-VERDICT";
    public static final AtomicInteger ENDLESS_CANCELLATIONS = new AtomicInteger();
    public static final AtomicInteger BROKEN_CALLS = new AtomicInteger();

    private final String providerId;
    private final List<RegisteredModel> models;

    public ScriptedInferenceProvider(String providerId, List<RegisteredModel> models) {
        this.providerId = providerId;
        this.models = models;
    }

    private String[] promptWords(ChatCompletionRequest request) {
        String last = request.messages().reversed().stream().filter(m -> m.role() == Role.USER)
                .findFirst().map(ChatMessage::text).orElse("");
        String[] words = last.isBlank() ? new String[0] : last.trim().split("\\s+");
        int prompt = request.messages().stream().mapToInt(m -> m.text().isBlank() ? 0 : m.text().trim().split("\\s+").length).sum();
        if (prompt > CONTEXT_WORDS) {
            throw new ContextLengthExceededException(prompt, CONTEXT_WORDS, "messages");
        }
        return words;
    }

    private int promptTokens(ChatCompletionRequest request) {
        return request.messages().stream().mapToInt(m -> m.text().isBlank() ? 0 : m.text().trim().split("\\s+").length).sum();
    }

    @Override
    public Mono<ChatCompletion> chatCompletion(ChatCompletionRequest request) {
        if ("guard".equals(request.model())) {
            return Mono.fromCallable(() -> {
                String prompt = request.messages().getLast().text();
                String verdict = prompt.contains(VIOLENT) ? "unsafe\nS1" : prompt.contains(ELECTION) ? "unsafe\nS6"
                        : prompt.contains(GARBLED) ? "I think it is probably fine" : "safe";
                return ChatCompletion.of("chatcmpl-guard", 1700000000L, request.model(),
                        List.of(new ChatCompletion.Choice(0, ChatMessage.assistant(verdict), FinishReason.STOP)), Usage.of(1, 2));
            });
        }
        return Mono.fromCallable(() -> {
            failIfBroken(request.model());
            String[] words = promptWords(request);
            int limit = request.effectiveMaxTokens() == null ? words.length : Math.min(words.length, request.effectiveMaxTokens());
            String text = String.join(" ", Arrays.copyOf(words, limit));
            String finish = limit < words.length ? FinishReason.LENGTH : FinishReason.STOP;
            return ChatCompletion.of("chatcmpl-test", 1700000000L, request.model(),
                    List.of(new ChatCompletion.Choice(0, ChatMessage.assistant(text), finish)),
                    Usage.of(promptTokens(request), limit));
        });
    }

    @Override
    public Flux<ChatCompletionChunk> streamChatCompletion(ChatCompletionRequest request) {
        if ("endless".equals(request.model())) {
            // Pull-based like a real generation: a word is made only when the client asked for one.
            return Flux.<Long, Long>generate(() -> 0L, (i, sink) -> {
                        sink.next(i);
                        return i + 1;
                    })
                    .delayElements(Duration.ofMillis(20))
                    .map(i -> ChatCompletionChunk.of("chatcmpl-endless", 1L, request.model(),
                            new ChunkChoice(0, Delta.content("word" + i + " "), null)))
                    .doOnCancel(ENDLESS_CANCELLATIONS::incrementAndGet);
        }
        if ("midfail".equals(request.model())) {
            return Flux.concat(Flux.just(ChatCompletionChunk.of("chatcmpl-midfail", 1L, request.model(),
                            new ChunkChoice(0, Delta.role(Role.ASSISTANT), null))),
                    Flux.error(new ProviderException("upstream connection reset", 0, null)));
        }
        return Flux.defer(() -> {
            failIfBroken(request.model());
            String[] words = promptWords(request);
            String id = "chatcmpl-stream";
            String model = request.model();
            Flux<ChatCompletionChunk> role = Flux.just(ChatCompletionChunk.of(id, 1L, model,
                    new ChunkChoice(0, Delta.role(Role.ASSISTANT), null)));
            Flux<ChatCompletionChunk> content = Flux.range(0, words.length).map(i -> ChatCompletionChunk.of(id, 1L, model,
                    new ChunkChoice(0, Delta.content(i == 0 ? words[i] : " " + words[i]), null)));
            Flux<ChatCompletionChunk> end = Flux.just(ChatCompletionChunk.of(id, 1L, model,
                    new ChunkChoice(0, Delta.empty(), FinishReason.STOP)));
            Flux<ChatCompletionChunk> usage = request.streamOptions() != null && request.streamOptions().wantsUsage()
                    ? Flux.just(ChatCompletionChunk.usageOnly(id, 1L, model, Usage.of(promptTokens(request), words.length)))
                    : Flux.empty();
            return Flux.concat(role, content, end, usage);
        });
    }

    @Override
    public Mono<Completion> completion(CompletionRequest request) {
        return Mono.fromCallable(() -> {
            String prompt = request.prompt() instanceof Prompt.Texts t ? t.texts().getFirst() : "";
            return Completion.of("cmpl-test", 1L, request.model(),
                    List.of(new Completion.CompletionChoice(0, prompt.toUpperCase(), FinishReason.STOP)), Usage.of(1, 1));
        });
    }

    @Override
    public Mono<EmbeddingsResponse> embeddings(EmbeddingsRequest request) {
        return Mono.fromCallable(() -> {
            List<String> texts = ((Prompt.Texts) request.input()).texts();
            List<EmbeddingsResponse.Embedding> data = new java.util.ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                data.add(EmbeddingsResponse.Embedding.of(i, new float[]{texts.get(i).length(), 0.5f, -1f}));
            }
            return EmbeddingsResponse.of(data, request.model(), new EmbeddingsResponse.EmbeddingUsage(texts.size(), texts.size()));
        });
    }

    private static void failIfBroken(String model) {
        if ("broken".equals(model)) {
            BROKEN_CALLS.incrementAndGet();
            throw new ProviderException("upstream answered 500: boom", 500, null);
        }
    }

    @Override
    public Flux<ModelInfo> listModels() {
        return Flux.fromIterable(models).map(m -> new ModelInfo(m.modelId(), m.providerModelId(), providerId, m.modelType(),
                m.metadata(), 0));
    }

    @Override
    public Mono<ProviderHealth> health() {
        return Mono.just(ProviderHealth.ok());
    }
}
