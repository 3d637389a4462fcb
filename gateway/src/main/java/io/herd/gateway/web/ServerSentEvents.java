package io.herd.gateway.web;

import io.herd.api.common.HerdException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Streams events in the framing OpenAI clients expect: {@code data: <json>\n\n} per event, each flushed, then
 * {@code data: [DONE]\n\n}. An error before the first event becomes a normal JSON error response (status
 * and all); an error later is sent as {@code data: {"error":{...}}} and ends the stream. Cancelling the
 * response (the client went away) cancels the event source, and with it the generation.
 */
public final class ServerSentEvents {

    private static final byte[] PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEPARATOR = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper mapper;

    public ServerSentEvents(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public <T> Mono<ServerResponse> respond(Flux<T> events, ServerWebExchange exchange) {
        return events
                .switchOnFirst((first, all) -> first.isOnError()
                        ? Mono.error(first.getThrowable())
                        : Mono.just(all), false)
                .singleOrEmpty()
                .flatMap(all -> {
                    BodyInserter<Flux<T>, ReactiveHttpOutputMessage> inserter = (message, context) ->
                            message.writeAndFlushWith(frames(all, message, exchange).map(Mono::just));
                    return ServerResponse.ok()
                            .contentType(MediaType.TEXT_EVENT_STREAM)
                            .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                            .header("X-Accel-Buffering", "no")
                            .body(inserter);
                });
    }

    private <T> Flux<DataBuffer> frames(Flux<T> events, ReactiveHttpOutputMessage message, ServerWebExchange exchange) {
        return events.map(e -> frame(mapper.writeValueAsBytes(e), message))
                .concatWith(Mono.fromSupplier(() -> message.bufferFactory().wrap(DONE)))
                .onErrorResume(error -> Mono.fromSupplier(() -> frame(errorJson(error, exchange), message)));
    }

    private byte[] errorJson(Throwable error, ServerWebExchange exchange) {
        HerdException mapped = ErrorMapping.toHerdException(error, exchange);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", mapped.getMessage());
        body.put("type", mapped.type());
        body.put("code", String.valueOf(mapped.httpStatus()));
        body.put("param", mapped.param());
        return mapper.writeValueAsBytes(Map.of("error", body));
    }

    private static DataBuffer frame(byte[] json, ReactiveHttpOutputMessage message) {
        DataBuffer buffer = message.bufferFactory().allocateBuffer(PREFIX.length + json.length + SEPARATOR.length);
        return buffer.write(PREFIX).write(json).write(SEPARATOR);
    }
}
