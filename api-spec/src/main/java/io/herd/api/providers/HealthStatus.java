package io.herd.api.providers;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Health values of the Llama Stack API. */
public enum HealthStatus {
    @JsonProperty("OK") OK,
    @JsonProperty("Error") ERROR,
    @JsonProperty("Not Implemented") NOT_IMPLEMENTED
}
