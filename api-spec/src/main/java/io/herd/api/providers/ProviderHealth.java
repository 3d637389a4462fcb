package io.herd.api.providers;

import com.fasterxml.jackson.annotation.JsonInclude;

/** {@code {status, message?}} as reported by a provider's health check. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProviderHealth(HealthStatus status, String message) {

    public static ProviderHealth ok() {
        return new ProviderHealth(HealthStatus.OK, null);
    }

    public static ProviderHealth error(String message) {
        return new ProviderHealth(HealthStatus.ERROR, message);
    }

    public static ProviderHealth notImplemented() {
        return new ProviderHealth(HealthStatus.NOT_IMPLEMENTED, null);
    }
}
