package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/** {@code response_format}: {@code {type:"text"}}, {@code {type:"json_object"}} or {@code {type:"json_schema", json_schema:{name,schema,...}}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResponseFormat(String type, @JsonProperty("json_schema") JsonNode jsonSchema) {
}
