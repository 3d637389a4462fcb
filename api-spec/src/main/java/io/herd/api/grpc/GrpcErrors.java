package io.herd.api.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.herd.api.common.AuthenticationException;
import io.herd.api.common.HerdException;
import io.herd.api.common.InternalServerException;
import io.herd.api.common.InvalidRequestException;
import io.herd.api.common.NotFoundException;
import io.herd.api.common.NotImplementedException;
import io.herd.api.common.OverloadedException;
import io.herd.api.common.PermissionDeniedException;
import io.herd.api.common.ProviderException;
import io.herd.api.common.RateLimitException;

import java.time.Duration;
import java.util.concurrent.CancellationException;

/**
 * Herd errors over gRPC. The status description is the OpenAI error message; the OpenAI type, code and param
 * and the equivalent HTTP status travel in trailers ({@code herd-error-*}), so a Herd client (the
 * {@code remote::herd-worker} provider) rebuilds the very exception the server raised.
 */
public final class GrpcErrors {

    public static final Metadata.Key<String> ERROR_TYPE = Metadata.Key.of("herd-error-type", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("herd-error-code", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> ERROR_PARAM = Metadata.Key.of("herd-error-param", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> HTTP_STATUS = Metadata.Key.of("herd-http-status", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

    private GrpcErrors() {
    }

    /** The gRPC code a client sees for an error with this HTTP status. */
    public static Status.Code codeFor(int httpStatus) {
        return switch (httpStatus) {
            case 400, 422 -> Status.Code.INVALID_ARGUMENT;
            case 401 -> Status.Code.UNAUTHENTICATED;
            case 403 -> Status.Code.PERMISSION_DENIED;
            case 404 -> Status.Code.NOT_FOUND;
            case 409 -> Status.Code.ALREADY_EXISTS;
            case 413, 429 -> Status.Code.RESOURCE_EXHAUSTED;
            case 499 -> Status.Code.CANCELLED;
            case 501 -> Status.Code.UNIMPLEMENTED;
            case 502, 503 -> Status.Code.UNAVAILABLE;
            case 504 -> Status.Code.DEADLINE_EXCEEDED;
            default -> Status.Code.INTERNAL;
        };
    }

    /** Any failure as the status exception to send to a gRPC client. */
    public static StatusRuntimeException toStatusException(Throwable error) {
        return switch (error) {
            case StatusRuntimeException e -> e;
            case HerdException h -> {
                Metadata trailers = new Metadata();
                trailers.put(ERROR_TYPE, h.type());
                if (h.code() != null) trailers.put(ERROR_CODE, h.code());
                if (h.param() != null) trailers.put(ERROR_PARAM, ascii(h.param()));
                trailers.put(HTTP_STATUS, Integer.toString(h.httpStatus()));
                if (h.retryAfter() != null) trailers.put(RETRY_AFTER, Long.toString(Math.max(1, h.retryAfter().toSeconds())));
                yield Status.fromCode(codeFor(h.httpStatus())).withDescription(h.getMessage()).asRuntimeException(trailers);
            }
            case CancellationException e -> Status.CANCELLED.withDescription("The request was cancelled").asRuntimeException();
            default -> toStatusException(new InternalServerException("Internal server error: " + error.getClass().getSimpleName()
                    + (error.getMessage() == null ? "" : ": " + error.getMessage()), error));
        };
    }

    /**
     * The Herd exception a gRPC failure of an upstream (a worker) stands for. Client errors keep their
     * meaning (a 404 stays a 404); failures of the upstream itself become a {@link ProviderException} (502).
     */
    public static HerdException fromStatus(Throwable error, String upstream) {
        if (error instanceof HerdException h) {
            return h;
        }
        Status status = Status.fromThrowable(error);
        Metadata trailers = Status.trailersFromThrowable(error);
        String message = status.getDescription() != null ? status.getDescription() : status.getCode().toString();
        String code = trailers == null ? null : trailers.get(ERROR_CODE);
        String param = trailers == null ? null : trailers.get(ERROR_PARAM);
        Duration retryAfter = trailers == null || trailers.get(RETRY_AFTER) == null ? null
                : Duration.ofSeconds(Long.parseLong(trailers.get(RETRY_AFTER)));
        return switch (status.getCode()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION -> new InvalidRequestException(message, param, code, error);
            case NOT_FOUND -> new NotFoundException(message, code, param);
            case UNAUTHENTICATED -> new AuthenticationException(upstream + " refused the credentials: " + message);
            case PERMISSION_DENIED -> new PermissionDeniedException(message);
            case UNIMPLEMENTED -> new NotImplementedException(message);
            case RESOURCE_EXHAUSTED -> "rate_limit_exceeded".equals(code)
                    ? new RateLimitException(message, retryAfter)
                    : new OverloadedException(upstream + " is overloaded: " + message, retryAfter);
            case UNAVAILABLE -> "overloaded".equals(code)
                    ? new OverloadedException(upstream + " is overloaded: " + message, retryAfter)
                    : new ProviderException(upstream + " is unavailable: " + message, 0, error);
            case DEADLINE_EXCEEDED -> new ProviderException(upstream + " did not answer in time: " + message, 504, error);
            default -> new ProviderException(upstream + " failed: " + message, 500, error);
        };
    }

    private static String ascii(String value) {
        return value.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? value : value.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
