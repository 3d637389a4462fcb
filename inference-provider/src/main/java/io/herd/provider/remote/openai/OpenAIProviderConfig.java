package io.herd.provider.remote.openai;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * {@code config} of a {@code remote::openai} provider.
 *
 * @param baseUrl        the server's OpenAI API root, including {@code /v1} (e.g. {@code http://localhost:8000/v1})
 * @param apiKey         sent as {@code Authorization: Bearer}; optional
 * @param models         upstream model names to offer even when the server does not list them
 * @param discoverModels whether to ask the server's {@code /models} for more (default true)
 * @param timeoutSeconds longest wait for a non-streaming answer or between two stream events (default 600)
 */
public record OpenAIProviderConfig(
        @JsonProperty("base_url") String baseUrl,
        @JsonProperty("api_key") String apiKey,
        List<String> models,
        @JsonProperty("discover_models") Boolean discoverModels,
        @JsonProperty("timeout_seconds") Integer timeoutSeconds,
        @JsonProperty("connect_timeout_seconds") Integer connectTimeoutSeconds) {

    public OpenAIProviderConfig {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("base_url is required (e.g. http://localhost:8000/v1)");
        }
        URI uri;
        try {
            uri = URI.create(baseUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("base_url '" + baseUrl + "' is not a URL: " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("base_url '" + baseUrl + "' must start with http:// or https://");
        }
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        models = models == null ? List.of() : List.copyOf(models);
        discoverModels = discoverModels == null || discoverModels;
        timeoutSeconds = timeoutSeconds == null ? 600 : timeoutSeconds;
        connectTimeoutSeconds = connectTimeoutSeconds == null ? 10 : connectTimeoutSeconds;
        if (timeoutSeconds < 1 || connectTimeoutSeconds < 1) {
            throw new IllegalArgumentException("timeout_seconds and connect_timeout_seconds must be positive");
        }
    }

    URI endpoint(String path) {
        return URI.create(baseUrl + path);
    }

    Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }
}
