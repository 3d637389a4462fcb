package io.herd.api.safety;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A registered shield, as {@code GET /v1/shields} returns it:
 * {@code {identifier, provider_resource_id, provider_id, type:"shield", params}}.
 *
 * @param providerResourceId what the provider checks with, e.g. the guard model {@code ollama/llama-guard3:1b};
 *                           defaults to the identifier when the config leaves it out
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Shield(
        @JsonProperty("identifier") String identifier,
        @JsonProperty("provider_resource_id") String providerResourceId,
        @JsonProperty("provider_id") String providerId,
        @JsonProperty("params") Map<String, Object> params) {

    public static final String TYPE = "shield";

    public Shield {
        if (identifier == null || identifier.isBlank()) {
            throw new IllegalArgumentException("shield identifier must not be blank");
        }
        Objects.requireNonNull(providerId, "provider_id of shield " + identifier);
        providerResourceId = providerResourceId == null || providerResourceId.isBlank() ? identifier : providerResourceId;
        params = params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    @JsonProperty("type")
    public String type() {
        return TYPE;
    }
}
