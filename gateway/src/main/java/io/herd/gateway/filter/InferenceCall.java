package io.herd.gateway.filter;

import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.api.inference.InferenceProvider;
import io.herd.gateway.provider.RoutedModel;
import org.springframework.web.server.ServerWebExchange;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One inference request on its way through the gateway filters, kept as an exchange attribute: the
 * parsed and validated request, the model it was routed to, and the provider that will serve it.
 * Filters may replace the request (e.g. redact it) or wrap the provider (circuit breaker, output shields);
 * the handler at the end of the chain calls {@link #provider()} with {@link #providerRequest()}.
 */
public final class InferenceCall {

    /** Exchange attribute holding the current request's call. */
    public static final String ATTRIBUTE = InferenceCall.class.getName();

    /** The inference operations the gateway routes by model. */
    public enum Operation { CHAT_COMPLETION, COMPLETION, EMBEDDINGS }

    private final Operation operation;
    private final RoutedModel route;
    private Object request;
    private InferenceProvider provider;

    InferenceCall(Operation operation, Object request, RoutedModel route) {
        this.operation = operation;
        this.request = request;
        this.route = route;
        this.provider = route.provider().provider();
    }

    public static InferenceCall of(ServerWebExchange exchange) {
        InferenceCall call = exchange.getAttribute(ATTRIBUTE);
        if (call == null) {
            throw new IllegalStateException("No inference call on this exchange; was it routed through the gateway?");
        }
        return call;
    }

    public Operation operation() {
        return operation;
    }

    public RoutedModel route() {
        return route;
    }

    /** The model id the client asked for; responses carry it back. */
    public String requestedModel() {
        return route.model().identifier();
    }

    /** The request as the client sent it (after validation and any filter's replacement). */
    public Object request() {
        return request;
    }

    public ChatCompletionRequest chatRequest() {
        return (ChatCompletionRequest) request;
    }

    public CompletionRequest completionRequest() {
        return (CompletionRequest) request;
    }

    public EmbeddingsRequest embeddingsRequest() {
        return (EmbeddingsRequest) request;
    }

    public void replaceRequest(Object newRequest) {
        if (!newRequest.getClass().equals(request.getClass())) {
            throw new IllegalArgumentException("Replacement must be a " + request.getClass().getSimpleName());
        }
        this.request = newRequest;
    }

    /** The request as the provider must see it: {@code model} set to the provider's own name for the model. */
    public Object providerRequest() {
        String target = route.providerModelId();
        return switch (request) {
            case ChatCompletionRequest r -> r.withModel(target);
            case CompletionRequest r -> r.withModel(target);
            case EmbeddingsRequest r -> r.withModel(target);
            default -> throw new IllegalStateException(request.getClass().getName());
        };
    }

    public InferenceProvider provider() {
        return provider;
    }

    /** Wraps the provider that will serve this call, e.g. with a circuit breaker or output shields. */
    public void decorateProvider(UnaryOperator<InferenceProvider> decorator) {
        this.provider = Objects.requireNonNull(decorator.apply(provider), "decorator returned null");
    }
}
