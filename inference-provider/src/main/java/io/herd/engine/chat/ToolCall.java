package io.herd.engine.chat;

import java.util.Objects;

/**
 * A function call in OpenAI's shape: {@code {"id", "type": "function", "function": {"name", "arguments"}}}
 * where {@code arguments} is a JSON object serialised as a string.
 */
public record ToolCall(String id, String name, String arguments) {

    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }

    public String type() {
        return "function";
    }
}
