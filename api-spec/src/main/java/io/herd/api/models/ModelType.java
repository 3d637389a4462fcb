package io.herd.api.models;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a model does: generate text, embed text, or rerank. */
public enum ModelType {
    @JsonProperty("llm") LLM,
    @JsonProperty("embedding") EMBEDDING,
    @JsonProperty("rerank") RERANK;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
