package io.herd.api.common;

/** 401: no or a wrong API key. */
public final class AuthenticationException extends HerdException {

    public AuthenticationException(String message) {
        super(401, "authentication_error", "invalid_api_key", null, message, null);
    }
}
