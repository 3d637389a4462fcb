package io.herd.api.common;

/** 500: a bug or an unexpected failure inside Herd. */
public final class InternalServerException extends HerdException {

    public InternalServerException(String message, Throwable cause) {
        super(500, "server_error", "internal_error", null, message, cause);
    }
}
