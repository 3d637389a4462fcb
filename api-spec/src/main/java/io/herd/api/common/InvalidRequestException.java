package io.herd.api.common;

/** 400: the request is malformed or a field has a wrong type or value. */
public sealed class InvalidRequestException extends HerdException permits ContextLengthExceededException {

    public InvalidRequestException(String message, String param) {
        this(message, param, null, null);
    }

    public InvalidRequestException(String message, String param, String code, Throwable cause) {
        super(400, "invalid_request_error", code, param, message, cause);
    }
}
