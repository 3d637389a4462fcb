package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A function call the model asked for. {@code index} is set in streaming deltas only;
 * {@code arguments} is the JSON text the model produced (it may be invalid JSON, as in OpenAI).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ToolCall(Integer index, String id, String type, FunctionCall function) {

    public static ToolCall function(String id, String name, String arguments) {
        return new ToolCall(null, id, "function", new FunctionCall(name, arguments));
    }

    public ToolCall withIndex(int newIndex) {
        return new ToolCall(newIndex, id, type, function);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FunctionCall(String name, String arguments) {
    }
}
