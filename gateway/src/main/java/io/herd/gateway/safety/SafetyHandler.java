package io.herd.gateway.safety;

import io.herd.api.common.PayloadTooLargeException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.function.BodyExtractors;
import io.herd.api.common.InvalidRequestException;
import io.herd.api.common.NotFoundException;
import io.herd.api.inference.ChatMessage;
import io.herd.api.safety.SafetyProvider;
import io.herd.api.safety.Shield;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The safety API: {@code GET /v1/shields}, {@code GET /v1/shields/{id}}, {@code POST /v1/safety/run-shield} (a
 * violation is a 200 answer) and {@code POST /v1/moderations} (OpenAI shape; {@code model} is a shield's
 * {@code provider_resource_id}, default {@code safety.default_shield_id}).
 */
public final class SafetyHandler {

    private final SafetyRegistry registry;
    private final JsonMapper json;
    private final long maxBodyBytes;

    /** @param maxBodyBytes {@code server.max_request_body_bytes}: a larger body is answered with 413 naming the limit */
    public SafetyHandler(SafetyRegistry registry, JsonMapper json, long maxBodyBytes) {
        this.registry = registry;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
    }

    public Mono<ServerResponse> listShields(ServerRequest request) {
        List<Shield> shields = registry.shields().stream().map(SafetyRegistry.ShieldEntry::shield).toList();
        return ok(Map.of("data", shields));
    }

    public Mono<ServerResponse> getShield(ServerRequest request) {
        String path = request.path();
        String id = path.substring(path.indexOf("/v1/shields/") + "/v1/shields/".length());
        return registry.shield(id).map(e -> ok(e.shield()))
                .orElseGet(() -> Mono.error(SafetyProvider.unknownShield(id)));
    }

    public Mono<ServerResponse> runShield(ServerRequest request) {
        return body(request).flatMap(body -> {
            String shieldId = text(body, "shield_id");
            JsonNode messagesNode = body.get("messages");
            if (messagesNode == null || !messagesNode.isArray() || messagesNode.isEmpty()) {
                return Mono.error(new InvalidRequestException("'messages' must be a non-empty array of chat messages", "messages"));
            }
            List<ChatMessage> messages = new ArrayList<>();
            for (int i = 0; i < messagesNode.size(); i++) {
                try {
                    ChatMessage m = json.treeToValue(messagesNode.get(i), ChatMessage.class);
                    if (m.role() == null) {
                        throw new InvalidRequestException("'messages[" + i + "].role' is required", "messages[" + i + "].role");
                    }
                    messages.add(m);
                } catch (JacksonException e) {
                    return Mono.error(new InvalidRequestException("'messages[" + i + "]' is not a valid chat message: "
                            + e.getOriginalMessage(), "messages[" + i + "]"));
                }
            }
            SafetyRegistry.ShieldEntry entry = registry.shield(shieldId).orElseThrow(() -> SafetyProvider.unknownShield(shieldId));
            // "params" (required by clients before Llama Stack 0.3) is accepted and ignored
            return entry.provider().runShield(shieldId, messages, Map.of()).flatMap(this::ok);
        });
    }

    public Mono<ServerResponse> moderations(ServerRequest request) {
        return body(request).flatMap(body -> {
            JsonNode inputNode = body.get("input");
            List<String> inputs = new ArrayList<>();
            if (inputNode != null && inputNode.isString()) {
                inputs.add(inputNode.asString());
            } else if (inputNode != null && inputNode.isArray() && !inputNode.isEmpty()) {
                for (int i = 0; i < inputNode.size(); i++) {
                    if (!inputNode.get(i).isString()) {
                        return Mono.error(new InvalidRequestException("'input[" + i + "]' must be a string", "input[" + i + "]"));
                    }
                    inputs.add(inputNode.get(i).asString());
                }
            } else {
                return Mono.error(new InvalidRequestException("'input' must be a string or a non-empty array of strings", "input"));
            }
            JsonNode modelNode = body.get("model");
            SafetyRegistry.ShieldEntry entry;
            if (modelNode != null && !modelNode.isNull()) {
                String model = modelNode.asString();
                entry = registry.shieldByResource(model).orElseThrow(() -> new NotFoundException("No shield checks with model '" + model
                        + "'. 'model' must be a shield's provider_resource_id; see GET /v1/shields.", "model_not_found", "model"));
            } else {
                String id = registry.defaultShieldId().orElseThrow(() -> new InvalidRequestException(
                        "'model' is required: no safety.default_shield_id is configured", "model"));
                entry = registry.shield(id).orElseThrow();
            }
            return entry.provider().runModeration(entry.shield(), inputs).flatMap(this::ok);
        });
    }

    private Mono<JsonNode> body(ServerRequest request) {
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), (int) Math.min(Integer.MAX_VALUE, maxBodyBytes))
                .onErrorMap(DataBufferLimitException.class, e -> new PayloadTooLargeException(maxBodyBytes))
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    return bytes;
                })
                .switchIfEmpty(Mono.error(new InvalidRequestException("The request body must be a JSON object", null)))
                .map(bytes -> {
                    JsonNode node;
                    try {
                        node = json.readTree(bytes);
                    } catch (JacksonException e) {
                        throw new InvalidRequestException("The request body is not valid JSON: " + e.getOriginalMessage(), null);
                    }
                    if (node == null || !node.isObject()) {
                        throw new InvalidRequestException("The request body must be a JSON object", null);
                    }
                    return node;
                });
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.isString() || node.asString().isBlank()) {
            throw new InvalidRequestException("'" + field + "' is required and must be a string", field);
        }
        return node.asString();
    }

    private Mono<ServerResponse> ok(Object body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }
}
