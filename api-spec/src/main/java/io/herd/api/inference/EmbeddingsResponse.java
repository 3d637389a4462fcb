package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Answer to an embeddings request. Providers always return float vectors; the front end encodes
 * them as base64 when the client asked for {@code encoding_format: "base64"}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EmbeddingsResponse(String object, List<Embedding> data, String model, EmbeddingUsage usage) {

    public static EmbeddingsResponse of(List<Embedding> data, String model, EmbeddingUsage usage) {
        return new EmbeddingsResponse("list", List.copyOf(data), model, usage);
    }

    public EmbeddingsResponse withModel(String newModel) {
        return new EmbeddingsResponse(object, data, newModel, usage);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Embedding(String object, float[] embedding, int index) {
        public static Embedding of(int index, float[] vector) {
            return new Embedding("embedding", vector, index);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EmbeddingUsage(@JsonProperty("prompt_tokens") int promptTokens,
                                 @JsonProperty("total_tokens") int totalTokens) {
    }
}
