package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Author of a chat message. */
public enum Role {
    @JsonProperty("system") SYSTEM,
    @JsonProperty("developer") DEVELOPER,
    @JsonProperty("user") USER,
    @JsonProperty("assistant") ASSISTANT,
    @JsonProperty("tool") TOOL;

    /** The wire name, e.g. {@code assistant}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
