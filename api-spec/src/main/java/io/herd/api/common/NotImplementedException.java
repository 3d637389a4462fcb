package io.herd.api.common;

/** 501: the provider serving this model does not implement the operation (e.g. embeddings on a chat-only engine). */
public final class NotImplementedException extends HerdException {

    public NotImplementedException(String message) {
        super(501, "not_implemented_error", "not_implemented", null, message, null);
    }
}
