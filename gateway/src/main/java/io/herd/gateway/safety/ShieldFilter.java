package io.herd.gateway.safety;

import io.herd.gateway.config.HerdConfig;
import io.herd.gateway.filter.HerdFilterOrder;
import io.herd.gateway.filter.InferenceCall;
import io.herd.gateway.filter.InferenceCallDecorator;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Applies the shield policy to every generation, on REST ({@code /v1/chat/completions}, {@code /v1/completions}) and
 * their gRPC twins: the routed provider is wrapped in a {@link ShieldingInferenceProvider}, which runs the input shields
 * before generating, answers a violation with the refusal, forwards redacted input, and passes the answer through the
 * output shields. A model's {@code metadata.shield_policy} overrides the global lists; embeddings are not shielded.
 * <p>
 * Warnings are logged; on REST they are also listed in {@value #WARNINGS_HEADER} while the response headers are still
 * open (input warnings always are: the input shields run before the first byte of the answer). This is why the class
 * is a {@link GlobalFilter} of its own rather than an {@link io.herd.gateway.filter.InferenceCallFilter}: the REST path
 * binds the warnings to the exchange, which {@link #decorate(InferenceCall)} (gRPC) does not have.
 */
public final class ShieldFilter implements GlobalFilter, InferenceCallDecorator {

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
        if (call != null) {
            decorate(call, warnings -> warnOnResponse(exchange, warnings));
        }
        return chain.filter(exchange);
    }

    /** Front ends without an HTTP response (gRPC): warnings go to the log. */
    @Override
    public void decorate(InferenceCall call) {
        decorate(call, warnings -> log.warn("Shield warnings for model {}: {}", call.requestedModel(), warnings));
    }

    private void decorate(InferenceCall call, Consumer<List<String>> warnings) {
        if (call.operation() == InferenceCall.Operation.EMBEDDINGS) {
            return;
        }
        ShieldPolicyOverride override = ShieldPolicyOverride.of(call.route().model().metadata()).orElse(null);
        List<String> inputShields = override != null && override.inputShields() != null ? override.inputShields() : policy.inputShields();
        List<String> outputShields = override != null && override.outputShields() != null ? override.outputShields() : policy.outputShields();
        if (inputShields.isEmpty() && outputShields.isEmpty()) {
            return;
        }
        call.decorateProvider(provider -> new ShieldingInferenceProvider(provider, runner, inputShields, outputShields, window,
                warnings, call.requestedModel()));
    }

    private static void warnOnResponse(ServerWebExchange exchange, List<String> warnings) {
        log.warn("Shield warnings on {}: {}", exchange.getRequest().getPath(), warnings);
        if (!exchange.getResponse().isCommitted()) {
            exchange.getResponse().getHeaders().add(WARNINGS_HEADER, String.join(", ", warnings));
        }
    }
}
