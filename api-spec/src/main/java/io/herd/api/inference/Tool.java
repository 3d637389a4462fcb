package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.JsonNode;

/** A tool the model may call: {@code {type:"function", function:{name, description, parameters, strict}}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Tool(String type, FunctionDefinition function) {

    public static Tool function(String name, String description, JsonNode parameters) {
        return new Tool("function", new FunctionDefinition(name, description, parameters, null));
    }

    /** {@code parameters} is a JSON Schema object, kept as a tree so it reaches chat templates and upstreams unchanged. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FunctionDefinition(String name, String description, JsonNode parameters, Boolean strict) {
    }
}
