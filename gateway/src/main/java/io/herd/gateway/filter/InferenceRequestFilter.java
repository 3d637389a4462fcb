package io.herd.gateway.filter;

import io.herd.api.common.PayloadTooLargeException;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Reads the body of every request (at most {@code server.max_request_body_bytes}, else 413, whether or not
 * the client sent a Content-Length) and, on the inference routes, parses and validates it and routes it by
 * its {@code model}: the result is the exchange's {@link InferenceCall}, which later filters and the
 * handler use. The body is parsed once here and never again.
 */
public final class InferenceRequestFilter implements GlobalFilter, Ordered {

    private final long maxBodyBytes;
    private final JsonRequestReader reader;
    private final InferenceCalls calls;

    public InferenceRequestFilter(long maxBodyBytes, JsonRequestReader reader, InferenceCalls calls) {
        this.maxBodyBytes = maxBodyBytes;
        this.reader = reader;
        this.calls = calls;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        long declared = exchange.getRequest().getHeaders().getContentLength();
        if (declared > maxBodyBytes) {
            return Mono.error(new PayloadTooLargeException(maxBodyBytes));
        }
        InferenceCall.Operation operation = RouteMetadata.operation(exchange);
        if (operation == null) {
            return chain.filter(exchange);
        }
        int limit = (int) Math.min(Integer.MAX_VALUE, maxBodyBytes);
        return DataBufferUtils.join(exchange.getRequest().getBody(), limit)
                .map(InferenceRequestFilter::drain)
                .defaultIfEmpty(new byte[0])
                .onErrorMap(DataBufferLimitException.class, e -> new PayloadTooLargeException(maxBodyBytes))
                .flatMap(body -> {
                    exchange.getAttributes().put(InferenceCall.ATTRIBUTE, parseAndRoute(operation, body));
                    return chain.filter(exchange);
                });
    }

    private InferenceCall parseAndRoute(InferenceCall.Operation operation, byte[] body) {
        Object request = switch (operation) {
            case CHAT_COMPLETION -> reader.read(body, ChatCompletionRequest.class);
            case COMPLETION -> reader.read(body, CompletionRequest.class);
            case EMBEDDINGS -> reader.read(body, EmbeddingsRequest.class);
        };
        return calls.route(operation, request);
    }

    private static byte[] drain(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    @Override
    public int getOrder() {
        return HerdFilterOrder.INFERENCE_REQUEST;
    }
}
