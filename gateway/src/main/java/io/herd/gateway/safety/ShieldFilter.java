package io.herd.gateway.safety;

import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.Prompt;
import io.herd.gateway.config.HerdConfig;
import io.herd.gateway.filter.HerdFilterOrder;
import io.herd.gateway.filter.InferenceCall;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Applies the shield policy to {@code /v1/chat/completions} and {@code /v1/completions}: input shields run (in
 * parallel) before generation; an error-level violation replaces the provider by a refusal, so nothing is generated;
 * warnings are logged and listed in {@value #WARNINGS_HEADER}; redacted input replaces the request. Output shields
 * wrap the provider ({@link OutputShieldingProvider}).
 */
public final class ShieldFilter implements GlobalFilter, Ordered {

    public static final String WARNINGS_HEADER = "X-Herd-Shield-Warnings";
    private static final Logger log = LoggerFactory.getLogger(ShieldFilter.class);

    private final HerdConfig.ShieldPolicy policy;
    private final ShieldRunner runner;
    private final StreamWindow window;

    public ShieldFilter(HerdConfig.ShieldPolicy policy, ShieldRunner runner) {
        this.policy = policy;
        this.runner = runner;
        this.window = StreamWindow.of(policy.streamWindow(), policy.streamWindowChars());
    }

    @Override
    public int getOrder() {
        return HerdFilterOrder.SHIELDS;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        InferenceCall call = exchange.getAttribute(InferenceCall.ATTRIBUTE);
        if (call == null) {
            return chain.filter(exchange);
        }
        return apply(call, warnings -> warn(exchange, warnings)).then(Mono.defer(() -> chain.filter(exchange)));
    }

    /**
     * Applies the policy to one routed call, for REST (the filter above) and gRPC alike: completes once the input
     * shields passed and the call is decorated (refusal or output shields); {@code warnings} receives warn-level findings.
     */
    public Mono<Void> apply(InferenceCall call, Consumer<List<String>> warnings) {
        if (call.operation() == InferenceCall.Operation.EMBEDDINGS) {
            return Mono.empty();
        }
        ShieldPolicyOverride override = ShieldPolicyOverride.of(call.route().model().metadata()).orElse(null);
        List<String> inputShields = override != null && override.inputShields() != null ? override.inputShields() : policy.inputShields();
        List<String> outputShields = override != null && override.outputShields() != null ? override.outputShields() : policy.outputShields();
        if (inputShields.isEmpty() && outputShields.isEmpty()) {
            return Mono.empty();
        }
        List<ChatMessage> input = messages(call);
        return runner.run(inputShields, input).doOnNext(verdict -> {
            if (!verdict.warnings().isEmpty()) {
                warnings.accept(verdict.warnings());
            }
            if (verdict.blocks()) {
                log.info("Input shield {} refused a request for model {}", verdict.blockingShield(), call.requestedModel());
                call.decorateProvider(p -> new RefusingInferenceProvider(verdict.blocking().userMessage()));
                return;
            }
            List<ChatMessage> checkedInput = input;
            if (verdict.redacted() != null) {
                checkedInput = verdict.redacted();
                replaceInput(call, checkedInput);
            }
            if (!outputShields.isEmpty()) {
                List<ChatMessage> context = checkedInput;
                call.decorateProvider(p -> new OutputShieldingProvider(p, runner, outputShields, context, window, warnings));
            }
        }).then();
    }

    private static void warn(ServerWebExchange exchange, List<String> warnings) {
        if (warnings.isEmpty()) {
            return;
        }
        log.warn("Shield warnings on {}: {}", exchange.getRequest().getPath(), warnings);
        if (!exchange.getResponse().isCommitted()) {
            exchange.getResponse().getHeaders().add(WARNINGS_HEADER, String.join(", ", warnings));
        }
    }

    /** What the shields read: the chat messages, or each text prompt of a completion as a user message. */
    static List<ChatMessage> messages(InferenceCall call) {
        return switch (call.request()) {
            case ChatCompletionRequest r -> r.messages();
            case CompletionRequest r -> r.prompt() instanceof Prompt.Texts t
                    ? t.texts().stream().map(ChatMessage::user).toList() : List.of();
            default -> List.of();
        };
    }

    private static void replaceInput(InferenceCall call, List<ChatMessage> redacted) {
        switch (call.request()) {
            case ChatCompletionRequest r -> call.replaceRequest(r.toBuilder().messages(redacted).build());
            case CompletionRequest r -> call.replaceRequest(new CompletionRequest(r.model(),
                    new Prompt.Texts(redacted.stream().map(ChatMessage::text).toList()), r.bestOf(), r.echo(), r.frequencyPenalty(),
                    r.logitBias(), r.logprobs(), r.maxTokens(), r.n(), r.presencePenalty(), r.seed(), r.stop(), r.stream(),
                    r.streamOptions(), r.temperature(), r.topP(), r.user(), r.suffix(), r.extra()));
            default -> {
            }
        }
    }
}
