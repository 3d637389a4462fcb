package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.herd.api.common.InvalidRequestException;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code POST /v1/embeddings} body. {@code encoding_format} is {@code float} (default) or {@code base64}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EmbeddingsRequest(
        String model,
        Prompt input,
        @JsonProperty("encoding_format") String encodingFormat,
        Integer dimensions,
        String user,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

    public EmbeddingsRequest {
        extra = extra == null ? new LinkedHashMap<>() : extra;
    }

    public static EmbeddingsRequest of(String model, Prompt input) {
        return new EmbeddingsRequest(model, input, null, null, null, null);
    }

    public boolean wantsBase64() {
        return "base64".equals(encodingFormat);
    }

    public EmbeddingsRequest withModel(String newModel) {
        return new EmbeddingsRequest(newModel, input, encodingFormat, dimensions, user, new LinkedHashMap<>(extra));
    }

    /** @throws InvalidRequestException naming the first offending field */
    public EmbeddingsRequest validate() {
        RequestChecks.requireText(model, "model");
        if (input == null) {
            throw new InvalidRequestException("'input' is required", "input");
        }
        if (encodingFormat != null && !encodingFormat.equals("float") && !encodingFormat.equals("base64")) {
            throw new InvalidRequestException("'encoding_format' must be 'float' or 'base64', got '" + encodingFormat + "'",
                    "encoding_format");
        }
        RequestChecks.checkPositive(dimensions, "dimensions");
        return this;
    }
}
