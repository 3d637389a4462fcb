package io.herd.api.common;

import java.util.Objects;

/**
 * Base of every error Herd reports to a client. It carries what the OpenAI error shape needs
 * (type, code, param) and the HTTP status, so that REST and gRPC front ends map it the same way
 * and providers never deal with transports.
 */
public abstract sealed class HerdException extends RuntimeException
        permits InvalidRequestException, NotFoundException, AuthenticationException, PermissionDeniedException,
        PayloadTooLargeException, RateLimitException, OverloadedException, NotImplementedException, ProviderException,
        InternalServerException {

    private final int httpStatus;
    private final String type;
    private final String code;
    private final String param;

    protected HerdException(int httpStatus, String type, String code, String param, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.httpStatus = httpStatus;
        this.type = Objects.requireNonNull(type, "type");
        this.code = code;
        this.param = param;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** OpenAI error type, e.g. {@code invalid_request_error}. */
    public String type() {
        return type;
    }

    /** Machine-readable code, e.g. {@code context_length_exceeded}; may be null. */
    public String code() {
        return code;
    }

    /** The request field at fault, e.g. {@code temperature} or {@code messages[0].role}; may be null. */
    public String param() {
        return param;
    }

    /** How long a client should wait before retrying (the {@code Retry-After} header); null when retrying is pointless. */
    public java.time.Duration retryAfter() {
        return null;
    }

    public ErrorResponse toErrorResponse() {
        return ErrorResponse.of(getMessage(), type, code, param);
    }
}
