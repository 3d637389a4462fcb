package io.herd.gateway.web;

import io.herd.gateway.support.GatewayTestSupport;
import io.herd.gateway.support.OpenApiContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Through the whole gateway to Herd's engine on the real stories260K model. */
class InlineEndToEndTest extends GatewayTestSupport {

    private static final Path REFERENCE = TEST_MODEL.getParent().resolve("reference/stories260K_t0_n64_once.txt");

    @BeforeEach
    void requireModel() {
        assumeTrue(Files.exists(TEST_MODEL), "test model absent: " + TEST_MODEL);
    }

    private JsonNode post(String path, String body) {
        return json.readTree(client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody());
    }

    @Test
    void greedyCompletionThroughTheGatewayMatchesLlama2c() throws IOException {
        String reference = Files.readString(REFERENCE, StandardCharsets.UTF_8).stripTrailing();
        JsonNode completion = post("/v1/completions",
                "{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":60,\"temperature\":0}");
        assertThat("Once upon a time" + completion.path("choices").get(0).path("text").asString()).isEqualTo(reference);
        assertThat(completion.path("model").asString()).isEqualTo("stories260K");
        assertThat(new OpenApiContract().validateResponse("/v1/completions", "POST", 200, completion)).isEmpty();
    }

    @Test
    void streamedChatThroughTheGatewayEqualsTheJsonAnswer() {
        String request = "{\"model\":\"stories260K\",\"temperature\":0,\"max_tokens\":24,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story about a cat\"}]";
        JsonNode whole = post("/v1/chat/completions", request + "}");
        String text = whole.path("choices").get(0).path("message").path("content").asString();
        assertThat(text).isNotBlank();

        byte[] raw = client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(request + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")
                .exchange().expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        List<String> events = new ArrayList<>(Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\n\n")));
        assertThat(events.removeLast()).isEqualTo("data: [DONE]");
        StringBuilder streamed = new StringBuilder();
        JsonNode last = null;
        for (String event : events) {
            last = json.readTree(event.substring(6));
            last.path("choices").forEach(c -> streamed.append(c.path("delta").path("content").asString("")));
        }
        assertThat(streamed.toString()).isEqualTo(text);
        assertThat(last.path("usage").path("total_tokens").asInt()).isEqualTo(whole.path("usage").path("total_tokens").asInt());
    }

    @Test
    void promptOverTheModelContextIs400() {
        String huge = "Once upon a time ".repeat(600);
        JsonNode error = json.readTree(client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"stories260K\",\"messages\":[{\"role\":\"user\",\"content\":\"" + huge + "\"}]}")
                .exchange().expectStatus().isBadRequest().expectBody(byte[].class).returnResult().getResponseBody());
        assertThat(error.path("error").path("code").asString()).isEqualTo("context_length_exceeded");
    }
}
