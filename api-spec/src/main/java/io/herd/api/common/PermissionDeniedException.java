package io.herd.api.common;

/** 403: the caller is known but may not do this. */
public final class PermissionDeniedException extends HerdException {

    public PermissionDeniedException(String message) {
        super(403, "permission_error", "permission_denied", null, message, null);
    }
}
