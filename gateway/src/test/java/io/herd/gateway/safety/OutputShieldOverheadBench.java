package io.herd.gateway.safety;

import static org.assertj.core.api.Assertions.assertThat;

import io.herd.gateway.HerdGatewayApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Bench, not a test (runs only with {@code -Dherd.bench=true}): time to last token of a streamed chat completion
 * from stories260K through the real gateway and the in-process engine, with the pii output shield windowing the
 * stream and without any shield. Runs alternate between the two models so load drifts hit both; medians are
 * printed. {@code ./mvnw -o -pl gateway -am test -Dtest=OutputShieldOverheadBench -Dherd.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "herd.bench", matches = "true")
@SpringBootTest(classes = HerdGatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"herd.config=src/test/resources/safety-bench-config.yaml"})
class OutputShieldOverheadBench {

    static final Path MODEL = Path.of(System.getProperty("herd.shared.dir", "../shared"), "models", "stories260K.gguf");
    static final int WARMUP = 10;
    static final int RUNS = Integer.getInteger("herd.bench.runs", 60);

    @BeforeAll
    static void needsModel() {
        Assumptions.assumeTrue(Files.exists(MODEL), "stories260K.gguf absent: " + MODEL.toAbsolutePath());
    }

    @DynamicPropertySource
    static void environment(DynamicPropertyRegistry registry) {
        registry.add("HERD_BENCH_MODEL", () -> MODEL.toAbsolutePath().toString());
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    private long timeToLastTokenNanos(String model) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":200,\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        long elapsed = System.nanoTime() - start;
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("[DONE]").doesNotContain("content_filter");
        if (Boolean.getBoolean("herd.bench.verbose")) {
            System.out.println(model + " events=" + response.body().split("data:").length + " chars=" + response.body().length()
                    + " ms=" + elapsed / 1e6);
        }
        return elapsed;
    }

    @Test
    void outputFilterOverheadOnTimeToLastToken() throws Exception {
        for (int i = 0; i < WARMUP; i++) {
            timeToLastTokenNanos("shielded");
            timeToLastTokenNanos("unshielded");
        }
        double[] shielded = new double[RUNS];
        double[] unshielded = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            // alternate the order so neither model always runs right after the other
            if (i % 2 == 0) {
                shielded[i] = timeToLastTokenNanos("shielded") / 1e6;
                unshielded[i] = timeToLastTokenNanos("unshielded") / 1e6;
            } else {
                unshielded[i] = timeToLastTokenNanos("unshielded") / 1e6;
                shielded[i] = timeToLastTokenNanos("shielded") / 1e6;
            }
        }
        if (Boolean.getBoolean("herd.bench.verbose")) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            metrics.lines().filter(l -> l.startsWith("herd_shield_latency")).forEach(System.out::println);
        }
        double with = median(shielded);
        double without = median(unshielded);
        System.out.printf(Locale.ROOT, "OutputShieldOverheadBench: %d runs each, time to last token median: without shields %.2f ms, "
                + "with the pii output shield %.2f ms, overhead %.1f%%%n", RUNS, without, with, 100 * (with - without) / without);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
