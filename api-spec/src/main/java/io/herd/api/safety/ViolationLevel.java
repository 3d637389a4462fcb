package io.herd.api.safety;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How serious a shield finding is; Llama Stack semantics: only {@code error} blocks, {@code warn} is logged, {@code info} is ignored. */
public enum ViolationLevel {
    INFO("info"),
    WARN("warn"),
    ERROR("error");

    private final String wireName;

    ViolationLevel(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static ViolationLevel fromWireName(String value) {
        for (ViolationLevel level : values()) {
            if (level.wireName.equalsIgnoreCase(value)) {
                return level;
            }
        }
        throw new IllegalArgumentException("violation_level must be one of info, warn, error; got '" + value + "'");
    }

    public boolean blocks() {
        return this == ERROR;
    }
}
