package io.herd.gateway.support;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hand-written OpenAPI document as a validator: the JSON schema of a response (path, method, status)
 * or of a component, with {@code $ref}s resolved against the document's own components (JSON Schema 2020-12,
 * which OpenAPI 3.1 schemas are).
 */
public final class OpenApiContract {

    private final JsonMapper json = JsonMapper.builder().build();
    private final JsonNode document;
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Map<String, Schema> cache = new ConcurrentHashMap<>();

    public OpenApiContract() {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream("openapi/herd-openapi.yaml")) {
            Object tree = new Load(LoadSettings.builder().build()).loadFromString(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            document = json.valueToTree(tree);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public JsonNode document() {
        return document;
    }

    /** Violations of {@code body} against the documented {@code application/json} response. */
    public List<Error> validateResponse(String path, String method, int status, JsonNode body) {
        JsonNode response = document.path("paths").path(path).path(method.toLowerCase()).path("responses").path(Integer.toString(status));
        if (response.isMissingNode()) {
            throw new AssertionError("OpenAPI documents no " + status + " response for " + method + " " + path);
        }
        if (response.has("$ref")) {
            response = resolve(response.path("$ref").asString());
        }
        JsonNode schema = response.path("content").path("application/json").path("schema");
        if (schema.isMissingNode()) {
            throw new AssertionError("OpenAPI documents no JSON body for " + status + " of " + method + " " + path);
        }
        return schema(schema).validate(body);
    }

    /** Violations of {@code body} against {@code #/components/schemas/<name>}. */
    public List<Error> validateComponent(String name, JsonNode body) {
        return schema(json.createObjectNode().put("$ref", "#/components/schemas/" + name)).validate(body);
    }

    private JsonNode resolve(String ref) {
        JsonNode node = document;
        for (String part : ref.substring(2).split("/")) {
            node = node.path(part);
        }
        return node;
    }

    private Schema schema(JsonNode schema) {
        return cache.computeIfAbsent(schema.toString(), key -> {
            ObjectNode root = json.createObjectNode();
            root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            root.set("$defs", document.path("components").path("schemas"));
            root.setAll((ObjectNode) schema);
            String text = root.toString().replace("#/components/schemas/", "#/$defs/");
            return registry.getSchema(json.readTree(text));
        });
    }
}
