package io.herd.gateway.filter;

import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.gateway.provider.ModelRouter;

import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Turns a parsed request into a routed {@link InferenceCall}: validation (400 naming the field), then model to
 * provider (404 for an unknown model). {@link #prepare} also applies every {@link InferenceCallDecorator} in order;
 * front ends without gateway filters (the gRPC server) use it to get the same behaviour as REST.
 */
public final class InferenceCalls {

    private final ModelRouter router;
    private final Supplier<List<InferenceCallDecorator>> decoratorSource;
    private volatile List<InferenceCallDecorator> decorators;

    /**
     * @param decorators looked up on first use, so that a decorator may itself depend on this bean
     *                   (a shield that calls a guard model through the router) without a cycle
     */
    public InferenceCalls(ModelRouter router, Supplier<List<InferenceCallDecorator>> decorators) {
        this.router = router;
        this.decoratorSource = decorators;
    }

    private List<InferenceCallDecorator> decorators() {
        List<InferenceCallDecorator> list = decorators;
        if (list == null) {
            list = decoratorSource.get().stream().sorted(Comparator.comparingInt(InferenceCallDecorator::getOrder)).toList();
            decorators = list;
        }
        return list;
    }

    /** Validated and routed, not decorated (REST: the gateway filters decorate it next). */
    public InferenceCall route(InferenceCall.Operation operation, Object request) {
        return switch (operation) {
            case CHAT_COMPLETION -> {
                ChatCompletionRequest r = ((ChatCompletionRequest) request).validate();
                yield new InferenceCall(operation, r, router.resolve(r.model()));
            }
            case COMPLETION -> {
                CompletionRequest r = ((CompletionRequest) request).validate();
                yield new InferenceCall(operation, r, router.resolve(r.model()));
            }
            case EMBEDDINGS -> {
                EmbeddingsRequest r = ((EmbeddingsRequest) request).validate();
                yield new InferenceCall(operation, r, router.resolve(r.model()));
            }
        };
    }

    /** Validated, routed and decorated: ready to call {@code call.provider()} with {@code call.providerRequest()}. */
    public InferenceCall prepare(InferenceCall.Operation operation, Object request) {
        InferenceCall call = route(operation, request);
        decorators().forEach(d -> d.decorate(call));
        return call;
    }
}
