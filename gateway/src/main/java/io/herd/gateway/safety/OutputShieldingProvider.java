package io.herd.gateway.safety;

import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.api.inference.EmbeddingsResponse;
import io.herd.api.inference.FinishReason;
import io.herd.api.inference.InferenceProvider;
import io.herd.api.models.ModelInfo;
import io.herd.api.providers.ProviderHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Wraps the routed provider so its answer passes the output shields before the client sees it. Shields see the
 * input messages plus the answer, as Llama Stack's agents ran them. A full answer is checked once; a stream is held
 * back in windows ({@link StreamWindow}) and each window is released only after the shields passed the text so far
 * ({@link ShieldedStream} for chat, {@link ShieldedCompletionStream} for text completions).
 * On a violation the client gets the refusal and {@code finish_reason: content_filter}, and the generation is
 * cancelled.
 */
final class OutputShieldingProvider implements InferenceProvider {

    private final InferenceProvider delegate;
    private final ShieldRunner runner;
    private final List<String> shields;
    private final List<ChatMessage> input;
    private final StreamWindow window;
    private final Consumer<List<String>> warnings;

    OutputShieldingProvider(InferenceProvider delegate, ShieldRunner runner, List<String> shields, List<ChatMessage> input,
                            StreamWindow window, Consumer<List<String>> warnings) {
        this.delegate = delegate;
        this.runner = runner;
        this.shields = shields;
        this.input = input;
        this.window = window;
        this.warnings = warnings;
    }

    private Mono<ShieldRunner.Verdict> check(String answer) {
        List<ChatMessage> conversation = new ArrayList<>(input.size() + 1);
        conversation.addAll(input);
        conversation.add(ChatMessage.assistant(answer));
        return runner.run(shields, conversation).doOnNext(v -> {
            if (!v.warnings().isEmpty()) {
                warnings.accept(v.warnings());
            }
        });
    }

    /** The checked answer: refused, redacted, or unchanged. */
    private static String textAfter(ShieldRunner.Verdict verdict, String answer) {
        if (verdict.redacted() != null && !verdict.redacted().isEmpty()) {
            return verdict.redacted().getLast().text();
        }
        return answer;
    }

    @Override
    public Mono<ChatCompletion> chatCompletion(ChatCompletionRequest request) {
        return delegate.chatCompletion(request).flatMap(completion -> {
            if (completion.choices().isEmpty()) {
                return Mono.just(completion);
            }
            ChatCompletion.Choice first = completion.choices().getFirst();
            String answer = first.message() == null ? "" : first.message().text();
            return check(answer).map(verdict -> {
                if (verdict.blocks()) {
                    return replaceFirst(completion, new ChatCompletion.Choice(first.index(),
                            ChatMessage.assistant(verdict.blocking().userMessage()), FinishReason.CONTENT_FILTER));
                }
                String checked = textAfter(verdict, answer);
                if (checked.equals(answer)) {
                    return completion;
                }
                ChatMessage m = first.message();
                return replaceFirst(completion, new ChatCompletion.Choice(first.index(),
                        new ChatMessage(m.role(), io.herd.api.inference.MessageContent.of(checked), m.name(), m.toolCalls(),
                                m.toolCallId(), m.refusal()), first.finishReason(), first.logprobs()));
            });
        });
    }

    private static ChatCompletion replaceFirst(ChatCompletion c, ChatCompletion.Choice choice) {
        List<ChatCompletion.Choice> choices = new ArrayList<>(c.choices());
        choices.set(0, choice);
        return new ChatCompletion(c.id(), c.object(), c.created(), c.model(), choices, c.usage(), c.systemFingerprint());
    }

    @Override
    public Flux<ChatCompletionChunk> streamChatCompletion(ChatCompletionRequest request) {
        return Flux.defer(() -> new ShieldedStream(this::check, window).apply(delegate.streamChatCompletion(request)));
    }

    @Override
    public Mono<Completion> completion(CompletionRequest request) {
        return delegate.completion(request).flatMap(completion -> {
            if (completion.choices().isEmpty()) {
                return Mono.just(completion);
            }
            Completion.CompletionChoice first = completion.choices().getFirst();
            String answer = first.text() == null ? "" : first.text();
            return check(answer).map(verdict -> {
                Completion.CompletionChoice choice = verdict.blocks()
                        ? new Completion.CompletionChoice(first.index(), verdict.blocking().userMessage(), FinishReason.CONTENT_FILTER)
                        : new Completion.CompletionChoice(first.index(), textAfter(verdict, answer), first.finishReason(), first.logprobs());
                List<Completion.CompletionChoice> choices = new ArrayList<>(completion.choices());
                choices.set(0, choice);
                return new Completion(completion.id(), completion.object(), completion.created(), completion.model(), choices,
                        completion.usage(), completion.systemFingerprint());
            });
        });
    }

    @Override
    public Flux<Completion> streamCompletion(CompletionRequest request) {
        return Flux.defer(() -> new ShieldedCompletionStream(this::check, window).apply(delegate.streamCompletion(request)));
    }

    @Override
    public Mono<EmbeddingsResponse> embeddings(EmbeddingsRequest request) {
        return delegate.embeddings(request);
    }

    @Override
    public Flux<ModelInfo> listModels() {
        return delegate.listModels();
    }

    @Override
    public Mono<ProviderHealth> health() {
        return delegate.health();
    }
}
