package io.herd.api.safety;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Answer of {@code POST /v1/moderations} in the OpenAI shape: {@code {id:"modr-…", model, results:[…]}}. */
public record ModerationObject(
        @JsonProperty("id") String id,
        @JsonProperty("model") String model,
        @JsonProperty("results") List<ModerationResult> results) {

    public ModerationObject {
        results = List.copyOf(results);
    }
}
