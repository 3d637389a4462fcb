package io.herd.api.common;

/** 413: the request body is larger than the server accepts. */
public final class PayloadTooLargeException extends HerdException {

    public PayloadTooLargeException(long limitBytes) {
        super(413, "invalid_request_error", "request_too_large", null,
                "Request body exceeds the limit of " + limitBytes + " bytes.", null);
    }
}
