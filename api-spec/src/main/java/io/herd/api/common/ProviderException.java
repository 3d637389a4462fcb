package io.herd.api.common;

/**
 * 502: the upstream service behind a remote provider failed or could not be reached.
 * {@code upstreamStatus} is the status it answered with, or 0 when there was no answer.
 */
public final class ProviderException extends HerdException {

    private final int upstreamStatus;

    public ProviderException(String message, int upstreamStatus, Throwable cause) {
        super(502, "provider_error", upstreamStatus == 0 ? "upstream_unreachable" : "upstream_error", null, message, cause);
        this.upstreamStatus = upstreamStatus;
    }

    public int upstreamStatus() {
        return upstreamStatus;
    }
}
