package io.herd.api.providers;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/** An item of {@code GET /v1/providers}: {@code {api, provider_id, provider_type, config, health}}. */
public record ProviderDescriptor(
        String api,
        @JsonProperty("provider_id") String providerId,
        @JsonProperty("provider_type") String providerType,
        Map<String, Object> config,
        ProviderHealth health) {
}
