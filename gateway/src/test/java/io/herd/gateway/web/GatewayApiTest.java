package io.herd.gateway.web;

import io.herd.gateway.support.GatewayTestSupport;
import io.herd.gateway.support.ScriptedInferenceProvider;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayApiTest extends GatewayTestSupport {

    private static final String KEY = "Bearer " + API_KEY;

    private JsonNode post(String path, String body, int expectedStatus) {
        byte[] bytes = client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isEqualTo(expectedStatus)
                .expectBody(byte[].class).returnResult().getResponseBody();
        return json.readTree(bytes);
    }

    private JsonNode get(String path, int expectedStatus) {
        byte[] bytes = client.get().uri(path).exchange().expectStatus().isEqualTo(expectedStatus)
                .expectBody(byte[].class).returnResult().getResponseBody();
        return json.readTree(bytes);
    }

    private static void assertError(JsonNode body, String type, String code, String param) {
        JsonNode error = body.path("error");
        assertThat(error.path("message").asString()).isNotBlank();
        assertThat(error.path("type").asString()).isEqualTo(type);
        if (code != null) {
            assertThat(error.path("code").asString()).isEqualTo(code);
        }
        if (param != null) {
            assertThat(error.path("param").asString()).isEqualTo(param);
        }
    }

    @Test
    void chatCompletionAnswersInTheOpenAiShapeNamingTheRequestedModel() {
        JsonNode body = post("/v1/chat/completions", """
                {"model":"acme/llama3.2:3b","messages":[{"role":"user","content":"hello big world"}],"max_tokens":2}""", 200);
        assertThat(body.path("object").asString()).isEqualTo("chat.completion");
        assertThat(body.path("model").asString()).isEqualTo("acme/llama3.2:3b");
        JsonNode choice = body.path("choices").get(0);
        assertThat(choice.path("message").path("role").asString()).isEqualTo("assistant");
        assertThat(choice.path("message").path("content").asString()).isEqualTo("hello big");
        assertThat(choice.path("finish_reason").asString()).isEqualTo("length");
        assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(3);
        assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(5);
    }

    @Test
    void streamingSendsDataFramesThenDoneWithUsageWhenAsked() {
        byte[] raw = client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue("""
                        {"model":"echo-model","messages":[{"role":"user","content":"one two"}],"stream":true,
                         "stream_options":{"include_usage":true}}""")
                .exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .expectBody(byte[].class).returnResult().getResponseBody();
        String text = new String(raw, StandardCharsets.UTF_8);
        assertThat(text).endsWith("data: [DONE]\n\n");
        List<String> events = Arrays.stream(text.split("\n\n")).toList();
        assertThat(events).allSatisfy(e -> assertThat(e).startsWith("data: ").doesNotContain("\n"));
        List<JsonNode> chunks = events.stream().filter(e -> !e.equals("data: [DONE]"))
                .map(e -> json.readTree(e.substring(6))).toList();
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.path("object").asString()).isEqualTo("chat.completion.chunk");
            assertThat(c.path("model").asString()).isEqualTo("echo-model");
        });
        assertThat(chunks.getFirst().path("choices").get(0).path("delta").path("role").asString()).isEqualTo("assistant");
        StringBuilder content = new StringBuilder();
        chunks.forEach(c -> c.path("choices").forEach(ch -> content.append(ch.path("delta").path("content").asString(""))));
        assertThat(content.toString()).isEqualTo("one two");
        JsonNode last = chunks.getLast();
        assertThat(last.path("choices").size()).isZero();
        assertThat(last.path("usage").path("completion_tokens").asInt()).isEqualTo(2);
    }

    @Test
    void errorAfterTheStreamStartedIsSentAsAnErrorEventAndEndsTheStream() {
        byte[] raw = client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"midfail-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody();
        List<String> events = Arrays.stream(new String(raw, StandardCharsets.UTF_8).split("\n\n")).toList();
        assertThat(events).hasSize(2);
        assertThat(json.readTree(events.get(0).substring(6)).path("object").asString()).isEqualTo("chat.completion.chunk");
        JsonNode error = json.readTree(events.get(1).substring(6)).path("error");
        assertThat(error.path("message").asString()).contains("upstream connection reset");
        assertThat(error.path("code").asString()).isEqualTo("502");
    }

    @Test
    void modelsListAndGetByIdWithSlashes() {
        JsonNode list = get("/v1/models", 200);
        assertThat(list.path("object").asString()).isEqualTo("list");
        List<String> ids = list.path("data").valueStream().map(m -> m.path("id").asString()).toList();
        assertThat(ids).contains("echo-model", "acme/llama3.2:3b", "endless-model", "broken-model");
        JsonNode echo = list.path("data").valueStream().filter(m -> m.path("id").asString().equals("echo-model")).findFirst().orElseThrow();
        assertThat(echo.path("object").asString()).isEqualTo("model");
        assertThat(echo.path("custom_metadata").path("provider_id").asString()).isEqualTo("scripted");
        assertThat(echo.path("custom_metadata").path("model_type").asString()).isEqualTo("llm");

        JsonNode model = get("/v1/models/acme/llama3.2:3b", 200);
        assertThat(model.path("identifier").asString()).isEqualTo("acme/llama3.2:3b");
        assertThat(model.path("provider_resource_id").asString()).isEqualTo("echo");
        assertThat(model.path("type").asString()).isEqualTo("model");
        JsonNode encoded = json.readTree(client.get().uri(java.net.URI.create("http://127.0.0.1:" + port + "/v1/models/acme%2Fllama3.2:3b"))
                .exchange().expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody());
        assertThat(encoded.path("identifier").asString()).isEqualTo("acme/llama3.2:3b");
        assertError(get("/v1/models/acme/nope", 404), "not_found_error", "model_not_found", null);
    }

    @Test
    void badInputGetsOpenAiShapedErrorsNamingTheField() {
        String user = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        assertError(post("/v1/chat/completions", "{\"model\":\"echo-model\",", 400), "invalid_request_error", "invalid_json", null);
        assertError(post("/v1/chat/completions", "{\"model\":\"echo-model\"," + user + ",\"temperature\":\"hot\"}", 400),
                "invalid_request_error", null, "temperature");
        assertError(post("/v1/chat/completions", "{\"model\":\"echo-model\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", 400),
                "invalid_request_error", null, "messages[0].role");
        assertError(post("/v1/chat/completions", "{\"model\":\"nope\"," + user + "}", 404), "not_found_error", "model_not_found", "model");
        assertError(post("/v1/chat/completions", "{\"model\":\"echo-model\"," + user + ",\"temperature\":2.5}", 400),
                "invalid_request_error", null, "temperature");
        assertError(post("/v1/chat/completions", "{\"model\":\"echo-model\"," + user + ",\"max_tokens\":-5}", 400),
                "invalid_request_error", null, "max_tokens");
        assertError(post("/v1/chat/completions", "{\"model\":\"echo-model\",\"messages\":[]}", 400),
                "invalid_request_error", null, "messages");
        assertError(post("/v1/chat/completions", "[1,2]", 400), "invalid_request_error", null, null);
        assertError(post("/v1/chat/completions", "", 400), "invalid_request_error", null, null);
    }

    @Test
    void promptOverTheContextIsA400WithContextLengthExceededAlsoWhenStreaming() {
        String longPrompt = "w ".repeat(ScriptedInferenceProvider.CONTEXT_WORDS + 1);
        assertError(post("/v1/chat/completions", "{\"model\":\"echo-model\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + longPrompt + "\"}]}", 400), "invalid_request_error", "context_length_exceeded", "messages");
        JsonNode streamed = json.readTree(client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"echo-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + longPrompt + "\"}]}")
                .exchange().expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody(byte[].class).returnResult().getResponseBody());
        assertError(streamed, "invalid_request_error", "context_length_exceeded", "messages");
    }

    @Test
    void bodyOverTheLimitIs413() {
        String big = "{\"model\":\"echo-model\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(70_000) + "\"}]}";
        assertError(post("/v1/chat/completions", big, 413), "invalid_request_error", "request_too_large", null);
    }

    @Test
    void apiKeyIsRequiredExceptOnPublicRoutes() {
        WebTestClient anonymous = client.mutate().defaultHeaders(h -> h.remove(HttpHeaders.AUTHORIZATION)).build();
        byte[] missing = anonymous.get().uri("/v1/models").exchange().expectStatus().isUnauthorized()
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertError(json.readTree(missing), "authentication_error", "invalid_api_key", null);
        anonymous.get().uri("/v1/models").header(HttpHeaders.AUTHORIZATION, "Bearer wrong").exchange()
                .expectStatus().isUnauthorized();
        anonymous.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"echo-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .exchange().expectStatus().isUnauthorized();
        anonymous.get().uri("/v1/health").exchange().expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("OK");
        anonymous.get().uri("/v1/version").exchange().expectStatus().isOk().expectBody().jsonPath("$.version").isNotEmpty();
    }

    @Test
    void clientThatDisconnectsMidStreamCancelsTheGeneration() throws InterruptedException {
        int before = ScriptedInferenceProvider.ENDLESS_CANCELLATIONS.get();
        List<String> received = WebClient.create("http://127.0.0.1:" + port).post().uri("/v1/chat/completions")
                .header(HttpHeaders.AUTHORIZATION, KEY).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"endless-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}")
                .retrieve().bodyToFlux(String.class).take(3).collectList().block(Duration.ofSeconds(10));
        assertThat(received).hasSize(3);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ScriptedInferenceProvider.ENDLESS_CANCELLATIONS.get() == before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ScriptedInferenceProvider.ENDLESS_CANCELLATIONS.get()).isGreaterThan(before);
    }

    @Test
    void failingProviderOpensItsCircuitAndOthersKeepWorking() {
        String broken = "{\"model\":\"broken-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        for (int i = 0; i < 4; i++) {
            client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(broken)
                    .exchange().expectStatus().isEqualTo(502);
        }
        int callsBefore = ScriptedInferenceProvider.BROKEN_CALLS.get();
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(broken)
                .exchange().expectStatus().isEqualTo(503)
                .expectHeader().exists(HttpHeaders.RETRY_AFTER)
                .expectBody().jsonPath("$.error.type").isEqualTo("overloaded_error");
        assertThat(ScriptedInferenceProvider.BROKEN_CALLS.get()).isEqualTo(callsBefore);
        post("/v1/chat/completions", "{\"model\":\"echo-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 200);
    }

    @Test
    void completionsAndEmbeddings() {
        JsonNode completion = post("/v1/completions", "{\"model\":\"echo-model\",\"prompt\":\"abc\"}", 200);
        assertThat(completion.path("object").asString()).isEqualTo("text_completion");
        assertThat(completion.path("choices").get(0).path("text").asString()).isEqualTo("ABC");
        JsonNode embeddings = post("/v1/embeddings", "{\"model\":\"echo-model\",\"input\":[\"ab\",\"abcd\"]}", 200);
        assertThat(embeddings.path("object").asString()).isEqualTo("list");
        assertThat(embeddings.path("data").get(1).path("embedding").get(0).asDouble()).isEqualTo(4.0);
        JsonNode base64 = post("/v1/embeddings", "{\"model\":\"echo-model\",\"input\":\"abc\",\"encoding_format\":\"base64\"}", 200);
        byte[] bytes = java.util.Base64.getDecoder().decode(base64.path("data").get(0).path("embedding").asString());
        java.nio.ByteBuffer floats = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(new float[]{floats.getFloat(), floats.getFloat(), floats.getFloat()}).containsExactly(3f, 0.5f, -1f);
    }

    @Test
    void providersAreListedWithSecretsRedactedAndDisabledOnesLeftOut() {
        JsonNode providers = get("/v1/providers", 200);
        assertThat(providers.path("data").valueStream().map(p -> p.path("provider_id").asString()).toList())
                .startsWith("scripted", "flaky").doesNotContain("disabled");
        JsonNode scripted = get("/v1/providers/scripted", 200);
        assertThat(scripted.path("api").asString()).isEqualTo("inference");
        assertThat(scripted.path("provider_type").asString()).isEqualTo("test::scripted");
        assertThat(scripted.path("config").path("api_key").asString()).isEqualTo("********");
        assertThat(scripted.path("config").path("nested").path("token").asString()).isEqualTo("********");
        assertThat(scripted.path("config").path("plain").asInt()).isEqualTo(1);
        assertThat(scripted.path("health").path("status").asString()).isEqualTo("OK");
        assertError(get("/v1/providers/nope", 404), "not_found_error", "provider_not_found", "provider_id");
    }

    @Test
    void inspectRoutesListsTheApi() {
        JsonNode routes = get("/v1/inspect/routes", 200);
        assertThat(routes.path("data").valueStream().map(r -> r.path("method").asString() + " " + r.path("route").asString()).toList())
                .contains("POST /v1/chat/completions", "GET /v1/models/{model_id}", "GET /v1/health");
        JsonNode chat = routes.path("data").valueStream().filter(r -> r.path("route").asString().equals("/v1/chat/completions"))
                .findFirst().orElseThrow();
        assertThat(chat.path("provider_types").valueStream().map(JsonNode::asString).toList()).contains("test::scripted");
    }

    @Test
    void internalHandlersAreNotReachableWithoutTheGatewayAndUnknownRoutesAre404() {
        assertError(get("/_herd/v1/models", 404), "not_found_error", null, null);
        assertError(get("/v1/nothing-here", 404), "not_found_error", null, null);
        client.get().uri("/v1/chat/completions").exchange().expectStatus().value(s -> assertThat(s).isIn(404, 405));
    }

    @Test
    void openApiDocumentAndDocsPageAreServed() {
        JsonNode spec = get("/openapi.json", 200);
        assertThat(spec.path("openapi").asString()).startsWith("3.1");
        String page = client.get().uri("/docs").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(page).contains("/openapi.json", "/docs/assets/swagger-ui-bundle.js");
        client.get().uri("/docs/assets/swagger-ui-bundle.js").exchange().expectStatus().isOk();
    }

}
