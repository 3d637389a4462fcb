package io.herd.provider.remote.worker;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.net.URI;

/**
 * {@code config} of a {@code remote::herd-worker} provider.
 *
 * @param url            the worker: {@code host:port}, {@code grpc://host:port} (plaintext) or
 *                       {@code grpcs://host:port} (TLS); {@code dns:///host:port} for several addresses behind a name
 * @param timeoutSeconds deadline of each call, streams included (default 600)
 * @param apiKey         sent as {@code authorization: Bearer} when the worker requires a key
 */
public record HerdWorkerProviderConfig(
        String url,
        @JsonProperty("timeout_seconds") Integer timeoutSeconds,
        @JsonProperty("api_key") String apiKey) {

    public HerdWorkerProviderConfig {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("url is required (the worker's host:port, e.g. herd-worker:50052)");
        }
        url = url.strip();
        timeoutSeconds = timeoutSeconds == null ? 600 : timeoutSeconds;
        if (timeoutSeconds <= 0) {
            throw new IllegalArgumentException("timeout_seconds must be positive, got " + timeoutSeconds);
        }
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
    }

    /** The gRPC target for the channel builder. */
    public String target() {
        for (String scheme : new String[] {"grpcs://", "grpc://", "https://", "http://"}) {
            if (url.startsWith(scheme)) {
                String rest = url.substring(scheme.length());
                return rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
            }
        }
        if (url.contains("://") && !url.startsWith("dns:")) {
            throw new IllegalArgumentException("url '" + url + "' has an unknown scheme (use host:port, grpc://, grpcs:// or dns:///)");
        }
        if (!url.contains(":") || URI.create("x://" + url).getPort() < 0 && !url.startsWith("dns:")) {
            throw new IllegalArgumentException("url '" + url + "' needs a port, e.g. herd-worker:50052");
        }
        return url;
    }

    public boolean tls() {
        return url.startsWith("grpcs://") || url.startsWith("https://");
    }
}
