package io.herd.gateway.web;

import io.herd.api.common.HerdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * Writes every error as the OpenAI shape {@code {"error":{"message","type","code","param"}}} with its status
 * (and {@code Retry-After} when the client should retry). Ordered before Boot's default handler.
 */
@Order(-2)
public final class HerdErrorWebExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(HerdErrorWebExceptionHandler.class);

    private final ObjectMapper mapper;

    public HerdErrorWebExceptionHandler(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        var response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(error);
        }
        HerdException mapped = ErrorMapping.toHerdException(error, exchange);
        int status = ErrorMapping.status(mapped, error);
        if (status >= 500 && status != 503) {
            log.error("{} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), error);
        } else {
            log.debug("{} {} -> {}: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), status,
                    mapped.getMessage());
        }
        response.setStatusCode(HttpStatusCode.valueOf(status));
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (mapped.retryAfter() != null) {
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, mapped.retryAfter().toSeconds())));
        }
        byte[] body = mapper.writeValueAsBytes(ErrorMapping.body(mapped));
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
