package io.herd.provider.remote.openai;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.herd.api.common.InvalidRequestException;
import io.herd.api.common.NotFoundException;
import io.herd.api.common.OverloadedException;
import io.herd.api.common.ProviderException;
import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.StreamOptions;
import io.herd.api.models.ModelInfo;
import io.herd.api.models.ModelType;
import io.herd.api.models.RegisteredModel;
import io.herd.api.providers.HealthStatus;
import io.herd.api.providers.ProviderContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Against a stub server speaking the OpenAI HTTP protocol (status codes, error envelope, SSE framing as
 * OpenAI and vLLM send it).
 */
class OpenAIInferenceProviderTest {

    private final JsonMapper json = JsonMapper.builder().build();
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final CountDownLatch streamAborted = new CountDownLatch(1);
    private HttpServer server;
    private OpenAIInferenceProvider provider;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/models", ex -> respond(ex, 200, """
                {"object":"list","data":[{"id":"llama-3.1-8b","object":"model","created":1700000000,"owned_by":"vllm"},
                {"id":"nomic-embed-text","object":"model","created":1,"owned_by":"vllm"}]}"""));
        server.createContext("/v1/chat/completions", this::chat);
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        provider = (OpenAIInferenceProvider) new OpenAIProviderFactory().create(new ProviderContext("inference", "vllm",
                OpenAIProviderFactory.TYPE, Map.of("base_url", base, "api_key", "sk-test"),
                List.of(new RegisteredModel("my-llama", "vllm", "llama-3.1-8b", null, null))));
    }

    @AfterEach
    void stop() {
        provider.close();
        server.stop(0);
    }

    private void chat(HttpExchange ex) throws IOException {
        authorizations.add(ex.getRequestHeaders().getFirst("Authorization"));
        JsonNode body = json.readTree(ex.getRequestBody().readAllBytes());
        received.add(body);
        String model = body.path("model").asString();
        switch (model) {
            case "missing" -> respond(ex, 404, "{\"error\":{\"message\":\"The model `missing` does not exist.\",\"type\":\"NotFoundError\",\"param\":null,\"code\":404}}");
            case "bad" -> respond(ex, 400, "{\"error\":{\"message\":\"max_tokens is too large\",\"type\":\"BadRequestError\",\"param\":\"max_tokens\",\"code\":\"invalid_value\"}}");
            case "busy" -> respond(ex, 503, "{\"error\":{\"message\":\"overloaded\"}}");
            case "crash" -> respond(ex, 500, "Internal Server Error");
            case "endless" -> endless(ex);
            default -> {
                if (body.path("stream").asBoolean()) {
                    stream(ex, model, body.path("stream_options").path("include_usage").asBoolean());
                } else {
                    respond(ex, 200, """
                            {"id":"chatcmpl-1","object":"chat.completion","created":1700000001,"model":"%s",
                             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi there"},"finish_reason":"stop","logprobs":null}],
                             "usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7},"system_fingerprint":"fp"}""".formatted(model));
                }
            }
        }
    }

    private void stream(HttpExchange ex, String model, boolean usage) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            String c = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + model + "\",\"choices\":[";
            List<String> events = new java.util.ArrayList<>(List.of(
                    c + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
                    c + "{\"index\":0,\"delta\":{\"content\":\"Grüße\"},\"finish_reason\":null}]}",
                    c + "{\"index\":0,\"delta\":{\"content\":\" 🌍\"},\"finish_reason\":null}]}",
                    c + "{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"));
            if (usage) {
                events.add(c + "],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3,\"total_tokens\":6}}");
            }
            StringBuilder all = new StringBuilder();
            events.forEach(e -> all.append("data: ").append(e).append("\n\n"));
            all.append(": keep-alive comment\n\ndata: [DONE]\n\n");
            byte[] bytes = all.toString().getBytes(StandardCharsets.UTF_8);
            // Dribble in 7-byte pieces so lines, events and UTF-8 sequences are split across reads.
            for (int i = 0; i < bytes.length; i += 7) {
                out.write(bytes, i, Math.min(7, bytes.length - i));
                out.flush();
            }
        }
    }

    private void endless(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        try {
            for (int i = 0; i < 2000; i++) {
                out.write(("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"endless\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(10);
            }
        } catch (IOException e) {
            streamAborted.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ex.close();
        }
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static ChatCompletionRequest request(String model) {
        return ChatCompletionRequest.builder().model(model).messages(ChatMessage.user("Hello")).temperature(0.2)
                .extra("guided_choice", List.of("a", "b")).build();
    }

    @Test
    void forwardsTheRequestWithItsExtraFieldsAndReadsTheAnswer() {
        ChatCompletion c = provider.chatCompletion(request("llama-3.1-8b")).block(Duration.ofSeconds(10));
        assertThat(c.choices().getFirst().message().text()).isEqualTo("Hi there");
        assertThat(c.usage().totalTokens()).isEqualTo(7);
        JsonNode sent = received.getFirst();
        assertThat(sent.path("model").asString()).isEqualTo("llama-3.1-8b");
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(sent.path("stream").asBoolean()).isFalse();
        assertThat(sent.path("guided_choice").size()).isEqualTo(2);
        assertThat(sent.path("messages").get(0).path("content").asString()).isEqualTo("Hello");
        assertThat(authorizations).containsOnly("Bearer sk-test");
    }

    @Test
    void streamsServerSentEventsSplitAnywhere() {
        ChatCompletionRequest r = request("llama-3.1-8b").toBuilder().streamOptions(new StreamOptions(true)).build();
        List<ChatCompletionChunk> chunks = provider.streamChatCompletion(r).collectList().block(Duration.ofSeconds(10));
        assertThat(chunks).hasSize(5);
        StringBuilder text = new StringBuilder();
        chunks.forEach(ch -> ch.choices().forEach(choice -> text.append(choice.delta().content() == null ? "" : choice.delta().content())));
        assertThat(text.toString()).isEqualTo("Grüße 🌍");
        assertThat(chunks.get(3).choices().getFirst().finishReason()).isEqualTo("stop");
        assertThat(chunks.get(4).usage().totalTokens()).isEqualTo(6);
        assertThat(received.getFirst().path("stream").asBoolean()).isTrue();
        assertThat(received.getFirst().path("stream_options").path("include_usage").asBoolean()).isTrue();
    }

    @Test
    void cancellingTheStreamClosesTheUpstreamConnection() throws InterruptedException {
        List<ChatCompletionChunk> first = provider.streamChatCompletion(request("endless")).take(3)
                .collectList().block(Duration.ofSeconds(10));
        assertThat(first).hasSize(3);
        assertThat(streamAborted.await(10, TimeUnit.SECONDS)).as("upstream saw the connection close").isTrue();
    }

    @Test
    void upstreamErrorsKeepTheirMeaning() {
        assertThatThrownBy(() -> provider.chatCompletion(request("missing")).block())
                .isInstanceOf(NotFoundException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> provider.chatCompletion(request("bad")).block())
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.param()).isEqualTo("max_tokens");
                    assertThat(e.getMessage()).contains("max_tokens is too large");
                });
        assertThatThrownBy(() -> provider.chatCompletion(request("busy")).block()).isInstanceOf(OverloadedException.class);
        assertThatThrownBy(() -> provider.chatCompletion(request("crash")).block())
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.upstreamStatus()).isEqualTo(500));
        assertThatThrownBy(() -> provider.streamChatCompletion(request("bad")).blockLast())
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void unreachableServerIsA502NamingTheUrl() {
        server.stop(0);
        assertThatThrownBy(() -> provider.chatCompletion(request("llama-3.1-8b")).block(Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(502);
                    assertThat(e.getMessage()).contains("127.0.0.1");
                });
        assertThat(provider.health().block().status()).isEqualTo(HealthStatus.ERROR);
    }

    @Test
    void listsRegisteredAndDiscoveredModels() {
        List<ModelInfo> models = provider.listModels().collectList().block(Duration.ofSeconds(10));
        assertThat(models).extracting(ModelInfo::providerResourceId).containsExactly("llama-3.1-8b", "nomic-embed-text");
        assertThat(models.getFirst().identifier()).isEqualTo("my-llama");
        assertThat(models.get(1).identifier()).isNull();
        assertThat(models.get(1).modelType()).isEqualTo(ModelType.EMBEDDING);
        assertThat(provider.health().block().status()).isEqualTo(HealthStatus.OK);
    }

    @Test
    void configErrorsNameTheField() {
        assertThatThrownBy(() -> new OpenAIProviderFactory().create(new ProviderContext("inference", "x", OpenAIProviderFactory.TYPE,
                Map.of("base_url", "localhost:8000"), List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base_url");
        assertThatThrownBy(() -> new OpenAIProviderFactory().create(new ProviderContext("inference", "x", OpenAIProviderFactory.TYPE,
                Map.of("base_url", "http://h/v1", "api_kee", "typo"), List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("api_kee");
    }
}
