package io.herd.gateway.web;

import com.networknt.schema.Error;
import io.herd.gateway.route.ApiRoute;
import io.herd.gateway.route.ApiRoutes;
import io.herd.gateway.support.GatewayTestSupport;
import io.herd.gateway.support.OpenApiContract;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Real responses of the running gateway validated against the OpenAPI document's schemas. */
class OpenApiContractTest extends GatewayTestSupport {

    private static final OpenApiContract CONTRACT = new OpenApiContract();

    @Autowired
    ApiRoutes routes;

    private void check(HttpMethod method, String uri, String documentedPath, String body, int status) {
        var spec = client.method(method).uri(uri);
        if (body != null) {
            spec.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        }
        byte[] bytes = spec.exchange().expectStatus().isEqualTo(status).expectBody(byte[].class).returnResult().getResponseBody();
        JsonNode response = json.readTree(bytes);
        List<Error> errors = CONTRACT.validateResponse(documentedPath, method.name(), status, response);
        assertThat(errors).as(method + " " + uri + " -> " + response).isEmpty();
    }

    @Test
    void everyRouteIsDocumented() {
        for (ApiRoute route : routes.all()) {
            assertThat(CONTRACT.document().path("paths").path(route.displayPath()).has(route.method().name().toLowerCase()))
                    .as("OpenAPI documents " + route.method() + " " + route.displayPath()).isTrue();
        }
        assertThat(CONTRACT.document().path("openapi").asString()).isEqualTo("3.1.0");
    }

    @Test
    void successfulResponsesMatchTheirSchemas() {
        String chat = "{\"model\":\"echo-model\",\"messages\":[{\"role\":\"user\",\"content\":\"a b c\"}]}";
        check(HttpMethod.POST, "/v1/chat/completions", "/v1/chat/completions", chat, 200);
        check(HttpMethod.POST, "/v1/completions", "/v1/completions", "{\"model\":\"echo-model\",\"prompt\":\"x\"}", 200);
        check(HttpMethod.POST, "/v1/embeddings", "/v1/embeddings", "{\"model\":\"echo-model\",\"input\":\"x\"}", 200);
        check(HttpMethod.POST, "/v1/embeddings", "/v1/embeddings", "{\"model\":\"echo-model\",\"input\":\"x\",\"encoding_format\":\"base64\"}", 200);
        check(HttpMethod.GET, "/v1/models", "/v1/models", null, 200);
        check(HttpMethod.GET, "/v1/models/acme/llama3.2:3b", "/v1/models/{model_id}", null, 200);
        check(HttpMethod.GET, "/v1/providers", "/v1/providers", null, 200);
        check(HttpMethod.GET, "/v1/providers/scripted", "/v1/providers/{provider_id}", null, 200);
        check(HttpMethod.GET, "/v1/inspect/routes", "/v1/inspect/routes", null, 200);
        check(HttpMethod.GET, "/v1/health", "/v1/health", null, 200);
        check(HttpMethod.GET, "/v1/version", "/v1/version", null, 200);
        check(HttpMethod.GET, "/v1/shields", "/v1/shields", null, 200);
    }

    @Test
    void errorResponsesMatchTheirSchemas() {
        check(HttpMethod.POST, "/v1/chat/completions", "/v1/chat/completions", "{\"model\":", 400);
        check(HttpMethod.POST, "/v1/chat/completions", "/v1/chat/completions",
                "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 404);
        check(HttpMethod.GET, "/v1/models/nope", "/v1/models/{model_id}", null, 404);
        check(HttpMethod.GET, "/v1/providers/nope", "/v1/providers/{provider_id}", null, 404);
    }

    @Test
    void streamedChunksMatchTheChunkSchema() {
        byte[] raw = client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"echo-model\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"a b\"}]}")
                .exchange().expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        List<String> events = new ArrayList<>(Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\n\n")));
        assertThat(events.removeLast()).isEqualTo("data: [DONE]");
        for (String event : events) {
            JsonNode chunk = json.readTree(event.substring("data: ".length()));
            assertThat(CONTRACT.validateComponent("ChatCompletionChunk", chunk)).as(event).isEmpty();
        }
    }

    @Test
    void theValidatorRejectsWhatTheSchemaForbids() {
        JsonNode wrong = json.readTree("{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":\"yesterday\",\"model\":\"m\",\"choices\":[]}");
        assertThat(CONTRACT.validateComponent("ChatCompletion", wrong)).isNotEmpty();
        assertThat(CONTRACT.validateComponent("ErrorResponse", json.readTree("{\"message\":\"flat\"}"))).isNotEmpty();
    }
}
