package io.herd.gateway.bench;

import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.FinishReason;
import io.herd.api.inference.InferenceProvider;
import io.herd.api.inference.InferenceProviderFactory;
import io.herd.api.inference.Usage;
import io.herd.api.models.ModelInfo;
import io.herd.api.providers.ProviderContext;
import io.herd.engine.generate.Generation;
import io.herd.engine.generate.GenerationRequest;
import io.herd.engine.generate.Generator;
import io.herd.engine.generate.SamplingParameters;
import io.herd.engine.model.LanguageModel;
import io.herd.engine.chat.ChatFormats;
import io.herd.gateway.HerdGatewayApplication;
import io.herd.provider.inline.ModelOpener;
import io.netty.buffer.Unpooled;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Gateway overhead (issue item 10). The same chat request goes
 * <ol>
 *   <li>straight to an OpenAI-compatible HTTP server that answers at once (Reactor Netty stub),</li>
 *   <li>through the gateway to a provider that answers at once in-process ({@code bench::instant}): every
 *       gateway cost (routing, filters, parsing, forwarding, JSON) but no second hop,</li>
 *   <li>through the gateway to the same stub via {@code remote::openai}: the gateway plus its upstream hop;</li>
 * </ol>
 * p50/p99 latency one request at a time, then requests/s with 64 concurrent clients. Then the time to the first
 * token on stories260K: engine alone (in-process) against a streamed chat through the gateway.
 * Writes a "Gateway overhead" section to the file given as the first argument (docs/benchmarks.md).
 */
public final class GatewayOverheadBench {

    private static final String ANSWER = """
            {"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,\
            "message":{"role":"assistant","content":"Hello! How can I help you today?"},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21}}""";
    private static final String REQUEST = """
            {"model":"%s","messages":[{"role":"system","content":"You are a helpful assistant."},\
            {"role":"user","content":"Say hello."}],"temperature":0.7,"max_tokens":32}""";

    private static final int SEQUENTIAL = Integer.getInteger("bench.sequential", 2000);
    private static final int CONCURRENCY = 64;
    private static final Duration LOAD_TIME = Duration.ofSeconds(Integer.getInteger("bench.loadSeconds", 5));

    private static String LOAD_AVERAGE = "unknown";

    public static void main(String[] args) throws Exception {
        try {
            LOAD_AVERAGE = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException ignored) {
            // not Linux: leave it unknown
        }
        Path output = Path.of(args.length > 0 ? args[0] : "docs/benchmarks.md");
        Path model = Path.of(System.getProperty("herd.shared.dir", "../shared")).resolve("models/stories260K.gguf").toAbsolutePath();

        DisposableServer stub = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r.post("/v1/chat/completions", (req, res) -> req.receive().then(
                        res.header("Content-Type", "application/json").sendString(Mono.just(ANSWER)).then())))
                .bindNow();
        Path config = Files.createTempFile("herd-bench", ".yaml");
        Files.writeString(config, """
                version: 2
                distro_name: bench
                providers:
                  inference:
                    - { provider_id: instant, provider_type: "bench::instant", config: {} }
                    - { provider_id: stub, provider_type: "remote::openai", config: { base_url: "http://127.0.0.1:%d/v1", discover_models: false } }
                    - { provider_id: herd, provider_type: "inline::herd", config: { threads: 1 } }
                registered_resources:
                  models:
                    - { model_id: instant-model, provider_id: instant, provider_model_id: bench }
                    - { model_id: stub-model, provider_id: stub, provider_model_id: bench }
                    - { model_id: stories260K, provider_id: herd, provider_model_id: "%s" }
                server: { port: 0 }
                """.formatted(stub.port(), model));
        SpringApplication app = new SpringApplication(HerdGatewayApplication.class, BenchProviders.class);
        ConfigurableApplicationContext context = app.run("--herd.config=" + config, "--server.port=0",
                "--logging.level.root=WARN");
        int gatewayPort = ((WebServerApplicationContext) context).getWebServer().getPort();

        ConnectionProvider pool = ConnectionProvider.builder("bench").maxConnections(CONCURRENCY * 2)
                .pendingAcquireMaxCount(-1).build();
        HttpClient client = HttpClient.create(pool).headers(h -> h.set("Content-Type", "application/json"));
        String direct = "http://127.0.0.1:" + stub.port() + "/v1/chat/completions";
        String gateway = "http://127.0.0.1:" + gatewayPort + "/v1/chat/completions";

        StringBuilder report = new StringBuilder();
        try {
            List<Result> results = measure(client, List.of(
                    new Target(direct, REQUEST.formatted("bench")),
                    new Target(gateway, REQUEST.formatted("instant-model")),
                    new Target(gateway, REQUEST.formatted("stub-model"))));
            Result directResult = results.get(0);
            Result instantResult = results.get(1);
            Result remoteResult = results.get(2);
            Ttft ttft = ttft(client, "http://127.0.0.1:" + gatewayPort, model);
            report.append(section(directResult, instantResult, remoteResult, ttft));
        } finally {
            context.close();
            stub.disposeNow();
            pool.disposeLater().block();
            Files.deleteIfExists(config);
        }
        System.out.println(report);
        writeSection(output, report.toString());
    }

    private record Result(double p50Micros, double p99Micros, double requestsPerSecond, double p50At64Micros) {
    }

    private record Target(String url, String body) {
        byte[] bytes() {
            return body.getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * Requests to the targets are interleaved (round-robin one at a time, then the load phases alternating twice)
     * so that every path sees the same machine: on a shared 2-core host the background load drifts.
     */
    private static List<Result> measure(HttpClient client, List<Target> targets) {
        int n = targets.size();
        for (int i = 0; i < 4000; i++) {
            for (Target t : targets) {
                call(client, t.url(), t.bytes()).block();
            }
        }
        long[][] latencies = new long[n][SEQUENTIAL];
        for (int i = 0; i < SEQUENTIAL; i++) {
            for (int t = 0; t < n; t++) {
                long start = System.nanoTime();
                call(client, targets.get(t).url(), targets.get(t).bytes()).block();
                latencies[t][i] = System.nanoTime() - start;
            }
        }
        List<List<Long>> concurrent = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            concurrent.add(new ArrayList<>());
        }
        for (int round = 0; round < 2; round++) {
            for (int t = 0; t < n; t++) {
                load(client, targets.get(t).url(), targets.get(t).bytes(), Duration.ofSeconds(1));
                concurrent.get(t).addAll(load(client, targets.get(t).url(), targets.get(t).bytes(), LOAD_TIME));
            }
        }
        List<Result> results = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            Arrays.sort(latencies[t]);
            long[] sorted = concurrent.get(t).stream().mapToLong(Long::longValue).sorted().toArray();
            results.add(new Result(percentile(latencies[t], 0.50) / 1e3, percentile(latencies[t], 0.99) / 1e3,
                    sorted.length / (2.0 * LOAD_TIME.toSeconds()), percentile(sorted, 0.50) / 1e3));
        }
        return results;
    }

    private static List<Long> load(HttpClient client, String url, byte[] body, Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        Flux.range(0, CONCURRENCY).flatMap(worker -> Mono.defer(() -> {
                    long start = System.nanoTime();
                    return call(client, url, body).doOnNext(b -> latencies.add(System.nanoTime() - start));
                }).repeat(() -> System.nanoTime() < end), CONCURRENCY)
                .blockLast();
        return latencies;
    }

    private static Mono<byte[]> call(HttpClient client, String url, byte[] body) {
        return client.post().uri(url).send(Mono.just(Unpooled.wrappedBuffer(body)))
                .responseSingle((response, content) -> {
                    if (response.status().code() != 200) {
                        return content.asString().flatMap(s -> Mono.error(new IllegalStateException(
                                url + " answered " + response.status() + ": " + s)));
                    }
                    return content.asByteArray();
                });
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private record Ttft(double engineMillis, double gatewayMillis, int runs) {
    }

    /** Time to the first generated text: engine alone vs a streamed chat through the gateway (same prompt and model). */
    private static Ttft ttft(HttpClient client, String base, Path modelFile) throws IOException {
        int runs = 30;
        String prompt = "Tell me a story about a cat";
        byte[] body = ("{\"model\":\"stories260K\",\"stream\":true,\"temperature\":0,\"max_tokens\":16,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}").getBytes(StandardCharsets.UTF_8);
        long[] engine = new long[runs];
        long[] gateway = new long[runs];
        try (LanguageModel model = ModelOpener.gguf().open(modelFile, 1)) {
            var format = ChatFormats.forModel(model);
            Generator generator = new Generator(model);
            for (int i = -5; i < runs; i++) {
                long start = System.nanoTime();
                int[] tokens = format.encode(model.tokenizer(), List.of(io.herd.engine.chat.ChatMessage.user(prompt)), List.of());
                try (Generation g = generator.start(new GenerationRequest(tokens, SamplingParameters.greedy(16),
                        format.stopTokens(model.tokenizer()), false, 0))) {
                    while (g.next().orElseThrow().text().isEmpty()) {
                        // until the first non-empty delta
                    }
                }
                long engineNanos = System.nanoTime() - start;
                start = System.nanoTime();
                // Reads events until the first one with content, then drops the connection (cancelling the generation).
                client.post().uri(base + "/v1/chat/completions").send(Mono.just(Unpooled.wrappedBuffer(body)))
                        .responseContent().asString()
                        .filter(s -> s.contains("\"content\""))
                        .next().block(Duration.ofSeconds(30));
                long gatewayNanos = System.nanoTime() - start;
                if (i >= 0) {
                    engine[i] = engineNanos;
                    gateway[i] = gatewayNanos;
                }
            }
        }
        Arrays.sort(engine);
        Arrays.sort(gateway);
        return new Ttft(percentile(engine, 0.5) / 1e6, percentile(gateway, 0.5) / 1e6, runs);
    }

    private static String section(Result direct, Result instant, Result remote, Ttft ttft) {
        StringBuilder s = new StringBuilder();
        s.append("## Gateway overhead\n\n");
        s.append("Measured ").append(LocalDate.now()).append(" by `GatewayOverheadBench` (gateway/src/test/java/io/herd/gateway/bench), ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, client, stub and gateway in one JVM on the same cores. ")
                .append("The same `POST /v1/chat/completions` (JSON, not streamed) is sent straight to an OpenAI-compatible stub server that ")
                .append("answers at once, and through the gateway (API-key check off, rate limit off, circuit breaker on). ")
                .append("Latency: ").append(SEQUENTIAL).append(" requests per path one at a time, the paths interleaved, after 4000 warm-up rounds. ")
                .append("Throughput: ").append(CONCURRENCY).append(" clients, each sending its next request when the answer is in, ")
                .append(LOAD_TIME.toSeconds()).append(" s per path twice, alternating paths. Load average of the host when the run began: ")
                .append(LOAD_AVERAGE).append(" (other jobs share the 2 cores, so absolute numbers are pessimistic; the paths are comparable).\n\n");
        s.append("| path | p50 | p99 | p50 added | p99 added | req/s at 64 clients | p50 at 64 clients |\n");
        s.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        row(s, "client → stub (baseline)", direct, null);
        row(s, "client → gateway → in-process instant provider", instant, direct);
        row(s, "client → gateway → `remote::openai` → stub", remote, direct);
        s.append("\nTime to first token on stories260K (greedy, same chat prompt, median of ").append(ttft.runs())
                .append(" after 5 warm-up runs, engine and gateway runs alternating): engine alone (tokenize + prefill + first token, in-process) ")
                .append(fmt(ttft.engineMillis())).append(" ms; streamed through the gateway (HTTP request to first content event) ")
                .append(fmt(ttft.gatewayMillis())).append(" ms; added ").append(fmt(ttft.gatewayMillis() - ttft.engineMillis())).append(" ms.\n\n");
        s.append("Reproduce: `./mvnw -o -pl gateway -am -Pbench test -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false` ")
                .append("(rewrites this section).\n");
        return s.toString();
    }

    private static void row(StringBuilder s, String name, Result r, Result base) {
        s.append("| ").append(name).append(" | ").append(micros(r.p50Micros())).append(" | ").append(micros(r.p99Micros()))
                .append(" | ").append(base == null ? "–" : micros(r.p50Micros() - base.p50Micros()))
                .append(" | ").append(base == null ? "–" : micros(r.p99Micros() - base.p99Micros()))
                .append(" | ").append(String.format(Locale.ROOT, "%.0f", r.requestsPerSecond()))
                .append(" | ").append(micros(r.p50At64Micros())).append(" |\n");
    }

    private static String micros(double us) {
        return us >= 1000 ? String.format(Locale.ROOT, "%.2f ms", us / 1000) : String.format(Locale.ROOT, "%.0f µs", us);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** Replaces the "## Gateway overhead" section (up to the next "## ") or appends it. */
    private static void writeSection(Path file, String section) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\n";
        int start = text.indexOf("## Gateway overhead");
        if (start < 0) {
            text = text.stripTrailing() + "\n\n" + section;
        } else {
            int next = text.indexOf("\n## ", start + 3);
            text = text.substring(0, start) + section + (next < 0 ? "" : text.substring(next + 1));
        }
        Files.writeString(file, text);
    }

    /** A provider that answers at once, so the gateway's own cost is all that is measured. */
    @Configuration(proxyBeanMethods = false)
    static class BenchProviders {
        @Bean
        InferenceProviderFactory instantProviderFactory() {
            return new InferenceProviderFactory() {
                @Override
                public String providerType() {
                    return "bench::instant";
                }

                @Override
                public InferenceProvider create(ProviderContext context) {
                    return new InferenceProvider() {
                        @Override
                        public Mono<ChatCompletion> chatCompletion(ChatCompletionRequest request) {
                            return Mono.just(ChatCompletion.of("chatcmpl-bench", 1700000000L, request.model(),
                                    List.of(new ChatCompletion.Choice(0, ChatMessage.assistant("Hello! How can I help you today?"),
                                            FinishReason.STOP)), Usage.of(12, 9)));
                        }

                        @Override
                        public Flux<ChatCompletionChunk> streamChatCompletion(ChatCompletionRequest request) {
                            return Flux.empty();
                        }

                        @Override
                        public Flux<ModelInfo> listModels() {
                            return Flux.empty();
                        }
                    };
                }
            };
        }
    }
}
