package io.herd.engine.chat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A function the model may call, as an OpenAI {@code tools} entry describes it:
 * {@code {"type": "function", "function": {"name", "description", "parameters": <JSON schema>}}}.
 */
public record ToolDefinition(String name, String description, ObjectNode parameters) {

    public ToolDefinition {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new ChatFormatException("tool name must not be blank");
        }
        description = Objects.requireNonNullElse(description, "");
        parameters = parameters == null ? emptySchema() : parameters.deepCopy();
    }

    private static ObjectNode emptySchema() {
        ObjectNode schema = JsonNodeFactory.instance.objectNode();
        schema.put("type", "object");
        schema.putObject("properties");
        return schema;
    }

    /** Reads an OpenAI {@code tools} array; errors name the offending entry. */
    public static List<ToolDefinition> fromOpenAi(JsonNode tools) {
        if (tools == null || tools.isNull() || tools.isMissingNode()) {
            return List.of();
        }
        if (!tools.isArray()) {
            throw new ChatFormatException("tools must be an array of {\"type\": \"function\", \"function\": {...}} objects");
        }
        List<ToolDefinition> definitions = new ArrayList<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String where = "tools[" + i + "]";
            if (!tool.isObject()) {
                throw new ChatFormatException(where + " must be an object");
            }
            JsonNode type = tool.get("type");
            if (type == null || !type.isString() || !"function".equals(type.stringValue())) {
                throw new ChatFormatException(where + ".type must be \"function\"");
            }
            JsonNode function = tool.get("function");
            if (function == null || !function.isObject()) {
                throw new ChatFormatException(where + ".function must be an object");
            }
            JsonNode name = function.get("name");
            if (name == null || !name.isString() || name.stringValue().isBlank()) {
                throw new ChatFormatException(where + ".function.name must be a non-empty string");
            }
            JsonNode description = function.get("description");
            if (description != null && !description.isNull() && !description.isString()) {
                throw new ChatFormatException(where + ".function.description must be a string");
            }
            JsonNode parameters = function.get("parameters");
            if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
                throw new ChatFormatException(where + ".function.parameters must be a JSON schema object");
            }
            definitions.add(new ToolDefinition(name.stringValue(),
                    description == null || description.isNull() ? "" : description.stringValue(),
                    parameters == null || parameters.isNull() ? null : (ObjectNode) parameters));
        }
        return definitions;
    }

    /** Names of the parameters the schema marks as required, in schema order. */
    public List<String> requiredParameters() {
        List<String> required = new ArrayList<>();
        JsonNode list = parameters.get("required");
        if (list != null && list.isArray()) {
            for (JsonNode entry : list) {
                if (entry.isString()) {
                    required.add(entry.stringValue());
                }
            }
        }
        return required;
    }
}
