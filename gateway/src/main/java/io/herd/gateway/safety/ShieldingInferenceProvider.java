package io.herd.gateway.safety;

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
import io.herd.api.models.ModelInfo;
import io.herd.api.providers.ProviderHealth;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The shield policy around one routed provider. Each call first runs the input shields (in parallel) on the request
 * it receives; then an error-level violation answers with the refusal and generates nothing, redacted input replaces
 * the request, and the delegate's answer passes the output shields ({@link OutputShieldingProvider}) when there are
 * any. The checks run when the call is subscribed to, so the same provider serves REST and gRPC.
 */
final class ShieldingInferenceProvider implements InferenceProvider {

    private static final Logger log = LoggerFactory.getLogger(ShieldingInferenceProvider.class);

    private final InferenceProvider delegate;
    private final ShieldRunner runner;
    private final List<String> inputShields;
    private final List<String> outputShields;
    private final StreamWindow window;
    private final Consumer<List<String>> warnings;
    private final String model;

    /**
     * @param warnings receives the names of shields that warned (input and output)
     * @param model    the model the client asked for, for the log
     */
    ShieldingInferenceProvider(InferenceProvider delegate, ShieldRunner runner, List<String> inputShields,
                               List<String> outputShields, StreamWindow window, Consumer<List<String>> warnings, String model) {
        this.delegate = delegate;
        this.runner = runner;
        this.inputShields = List.copyOf(inputShields);
        this.outputShields = List.copyOf(outputShields);
        this.window = window;
        this.warnings = warnings;
        this.model = model;
    }

    /** Which provider serves a request whose input the shields decided about, and with which request. */
    private record Decision<R>(InferenceProvider provider, R request) {
    }

    private <R> Mono<Decision<R>> checkInput(R request, List<ChatMessage> input, Function<List<ChatMessage>, R> withInput) {
        return runner.run(inputShields, input).map(verdict -> {
            if (!verdict.warnings().isEmpty()) {
                warnings.accept(verdict.warnings());
            }
            if (verdict.blocks()) {
                log.info("Input shield {} refused a request for model {}", verdict.blockingShield(), model);
                return new Decision<>(new RefusingInferenceProvider(verdict.blocking().userMessage()), request);
            }
            R checked = verdict.redacted() == null ? request : withInput.apply(verdict.redacted());
            List<ChatMessage> context = verdict.redacted() == null ? input : verdict.redacted();
            InferenceProvider provider = outputShields.isEmpty() ? delegate
                    : new OutputShieldingProvider(delegate, runner, outputShields, context, window, warnings);
            return new Decision<>(provider, checked);
        });
    }

    private Mono<Decision<ChatCompletionRequest>> checkInput(ChatCompletionRequest request) {
        return checkInput(request, request.messages(), redacted -> request.toBuilder().messages(redacted).build());
    }

    private Mono<Decision<CompletionRequest>> checkInput(CompletionRequest request) {
        return checkInput(request, messages(request), redacted -> withPrompts(request, redacted));
    }

    /** What the shields read of a text completion: each text prompt as a user message (token prompts are not text). */
    static List<ChatMessage> messages(CompletionRequest request) {
        return request.prompt() instanceof Prompt.Texts t ? t.texts().stream().map(ChatMessage::user).toList() : List.of();
    }

    private static CompletionRequest withPrompts(CompletionRequest r, List<ChatMessage> redacted) {
        return new CompletionRequest(r.model(), new Prompt.Texts(redacted.stream().map(ChatMessage::text).toList()), r.bestOf(),
                r.echo(), r.frequencyPenalty(), r.logitBias(), r.logprobs(), r.maxTokens(), r.n(), r.presencePenalty(), r.seed(),
                r.stop(), r.stream(), r.streamOptions(), r.temperature(), r.topP(), r.user(), r.suffix(), r.extra());
    }

    @Override
    public Mono<ChatCompletion> chatCompletion(ChatCompletionRequest request) {
        return Mono.defer(() -> checkInput(request)).flatMap(d -> d.provider().chatCompletion(d.request()));
    }

    @Override
    public Flux<ChatCompletionChunk> streamChatCompletion(ChatCompletionRequest request) {
        return Mono.defer(() -> checkInput(request)).flatMapMany(d -> d.provider().streamChatCompletion(d.request()));
    }

    @Override
    public Mono<Completion> completion(CompletionRequest request) {
        return Mono.defer(() -> checkInput(request)).flatMap(d -> d.provider().completion(d.request()));
    }

    @Override
    public Flux<Completion> streamCompletion(CompletionRequest request) {
        return Mono.defer(() -> checkInput(request)).flatMapMany(d -> d.provider().streamCompletion(d.request()));
    }

    /** Embeddings are not a generation: nothing to shield. */
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
