package io.herd.gateway.support;

import io.herd.gateway.HerdGatewayApplication;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The real application on a random port with {@code test-config.yaml}: test-double providers
 * ({@code test::scripted}) plus, when the shared test model is present, {@code inline::herd} serving
 * stories260K as model {@code stories260K}. All gateway test classes share this one context.
 */
@SpringBootTest(classes = HerdGatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"herd.config=src/test/resources/test-config.yaml"})
@Import(GatewayTestConfiguration.class)
public abstract class GatewayTestSupport {

    public static final String API_KEY = "test-key";
    public static final Path TEST_MODEL = Path.of(System.getProperty("herd.shared.dir", "../shared"))
            .resolve("models/stories260K.gguf").toAbsolutePath().normalize();

    @DynamicPropertySource
    static void testModel(DynamicPropertyRegistry registry) {
        if (Files.exists(TEST_MODEL)) {
            registry.add("HERD_TEST_MODEL", TEST_MODEL::toString);
        }
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected JsonMapper json;

    protected WebTestClient client;

    @BeforeEach
    void bindClient() {
        client = WebTestClient.bindToServer().baseUrl(baseUrl())
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + API_KEY)
                .responseTimeout(Duration.ofSeconds(30)).build();
    }

    protected String baseUrl() {
        return "http://127.0.0.1:" + port;
    }
}
