package io.herd.gateway.web;

import io.herd.api.common.HerdException;
import io.herd.api.common.InternalServerException;
import io.herd.api.common.InvalidRequestException;
import io.herd.api.common.NotFoundException;
import io.herd.api.common.OverloadedException;
import io.herd.api.common.PayloadTooLargeException;
import io.herd.api.common.ErrorResponse;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

/** Any failure to the Herd exception that describes it to a client (status, OpenAI error type, code, param). */
public final class ErrorMapping {

    private ErrorMapping() {
    }

    public static HerdException toHerdException(Throwable error, ServerWebExchange exchange) {
        return switch (error) {
            case HerdException h -> h;
            case DataBufferLimitException e -> new PayloadTooLargeException(-1);
            case CallNotPermittedException e -> new OverloadedException(e.getMessage(), null);
            case RejectedExecutionException e -> new OverloadedException(
                    "The server is at capacity (its generation queue is full); retry shortly.", Duration.ofSeconds(1));
            case ResponseStatusException e when e.getStatusCode().value() == 404 -> new NotFoundException(
                    "No route for " + exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath().value(),
                    "route_not_found", null);
            case ResponseStatusException e when e.getStatusCode().value() == 405 -> new InvalidRequestException(
                    "Method " + exchange.getRequest().getMethod() + " is not allowed on " + exchange.getRequest().getPath().value(),
                    null, "method_not_allowed", e);
            case ResponseStatusException e when e.getStatusCode().is4xxClientError() -> new InvalidRequestException(
                    e.getReason() != null ? e.getReason() : HttpStatus.valueOf(e.getStatusCode().value()).getReasonPhrase(),
                    null, "http_" + e.getStatusCode().value(), e);
            default -> new InternalServerException("Internal server error: " + error.getClass().getSimpleName()
                    + (error.getMessage() == null ? "" : ": " + error.getMessage()), error);
        };
    }

    /** HTTP status to send: a 405 stays a 405 even though it is reported as an invalid request. */
    public static int status(HerdException mapped, Throwable original) {
        if (original instanceof ResponseStatusException e && e.getStatusCode().is4xxClientError()) {
            return e.getStatusCode().value();
        }
        return mapped.httpStatus();
    }

    public static ErrorResponse body(HerdException e) {
        return e.toErrorResponse();
    }
}
