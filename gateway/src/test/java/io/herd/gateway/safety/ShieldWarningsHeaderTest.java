package io.herd.gateway.safety;

import static org.assertj.core.api.Assertions.assertThat;

import io.herd.gateway.HerdGatewayApplication;
import io.herd.gateway.support.GatewayTestConfiguration;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * A warn-level shield result lets the answer through and is reported in {@value ShieldFilter#WARNINGS_HEADER}:
 * the code scanner (an output shield in this configuration) rates MD5 as a medium finding, a warning by default.
 */
@SpringBootTest(classes = HerdGatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"herd.config=src/test/resources/safety-test-config.yaml"})
@Import(GatewayTestConfiguration.class)
class ShieldWarningsHeaderTest {

    private static final String WEAK_HASH = "print(hashlib.md5(data).hexdigest())";

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    private EntityExchangeResult<byte[]> chat(String model) {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(10)).build()
                .post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + WEAK_HASH + "\"}]}")
                .exchange().expectStatus().isOk().expectBody(byte[].class).returnResult();
    }

    @Test
    void outputWarningIsListedInTheHeaderAndTheAnswerPasses() {
        EntityExchangeResult<byte[]> warned = chat("echo-model");
        assertThat(warned.getResponseHeaders().getFirst(ShieldFilter.WARNINGS_HEADER)).contains("code-scanner:python.weak-hash");
        var choice = json.readTree(warned.getResponseBody()).path("choices").get(0);
        assertThat(choice.path("message").path("content").asString()).isEqualTo(WEAK_HASH);
        assertThat(choice.path("finish_reason").asString()).isEqualTo("stop");

        assertThat(chat("unguarded-model").getResponseHeaders().containsHeader(ShieldFilter.WARNINGS_HEADER)).isFalse();
    }
}
