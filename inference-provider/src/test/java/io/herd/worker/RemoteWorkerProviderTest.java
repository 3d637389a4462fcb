package io.herd.worker;

import io.herd.api.common.AuthenticationException;
import io.herd.api.common.InvalidRequestException;
import io.herd.api.common.NotFoundException;
import io.herd.api.common.ProviderException;
import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.api.inference.Prompt;
import io.herd.api.inference.StreamOptions;
import io.herd.api.models.ModelInfo;
import io.herd.api.models.ModelType;
import io.herd.api.models.RegisteredModel;
import io.herd.api.providers.HealthStatus;
import io.herd.api.providers.ProviderContext;
import io.herd.provider.remote.worker.HerdWorkerInferenceProvider;
import io.herd.provider.remote.worker.HerdWorkerProviderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** remote::herd-worker against a real worker gRPC server (on a free port) whose provider is a test double. */
class RemoteWorkerProviderTest {

    private final FakeEngineProvider engine = new FakeEngineProvider();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private WorkerServer worker(List<String> keys) throws Exception {
        WorkerServer server = new WorkerServer(engine, "127.0.0.1", 0, keys).start();
        open.add(server);
        return server;
    }

    private HerdWorkerInferenceProvider remote(WorkerServer server, Map<String, Object> extraConfig) {
        Map<String, Object> config = new HashMap<>(extraConfig);
        config.put("url", "127.0.0.1:" + server.port());
        var provider = (HerdWorkerInferenceProvider) new HerdWorkerProviderFactory().create(new ProviderContext("inference", "gpu-pool",
                HerdWorkerProviderFactory.TYPE, config, List.of(new RegisteredModel("tiny-chat", "gpu-pool", "tiny", ModelType.LLM, Map.of()))));
        open.add(provider);
        return provider;
    }

    private static ChatCompletionRequest chat(String model, String text) {
        return ChatCompletionRequest.builder().model(model).messages(ChatMessage.user(text)).build();
    }

    @Test
    void chatCompletionComesBackAsTheEngineAnsweredIt() throws Exception {
        var remote = remote(worker(List.of()), Map.of());
        ChatCompletionRequest request = chat("tiny", "one two three");

        ChatCompletion viaWorker = remote.chatCompletion(request).block(Duration.ofSeconds(10));
        ChatCompletion direct = engine.chatCompletion(request).block();

        assertThat(viaWorker).isEqualTo(direct);
    }

    @Test
    void theWorkerAlsoAcceptsTheModelFileName() throws Exception {
        var remote = remote(worker(List.of()), Map.of());
        ChatCompletion answer = remote.chatCompletion(chat(FakeEngineProvider.FILE, "hi")).block(Duration.ofSeconds(10));
        assertThat(answer.model()).isEqualTo("tiny");
    }

    @Test
    void streamsChunkForChunk() throws Exception {
        var remote = remote(worker(List.of()), Map.of());
        ChatCompletionRequest request = chat("tiny", "a b c").toBuilder().stream(true).streamOptions(new StreamOptions(true)).build();

        List<ChatCompletionChunk> viaWorker = remote.streamChatCompletion(request).collectList().block(Duration.ofSeconds(10));
        List<ChatCompletionChunk> direct = engine.streamChatCompletion(request).collectList().block();

        assertThat(viaWorker).hasSize(6).isEqualTo(direct);
    }

    @Test
    void completionsAndEmbeddingsRoundTrip() throws Exception {
        var remote = remote(worker(List.of()), Map.of());
        var completion = CompletionRequest.of("tiny", "shout", 4, 0.0);
        assertThat(remote.completion(completion).block(Duration.ofSeconds(10))).isEqualTo(engine.completion(completion).block());

        var embeddings = remote.embeddings(EmbeddingsRequest.of("tiny", Prompt.of("x"))).block(Duration.ofSeconds(10));
        assertThat(embeddings.data().getFirst().embedding()).containsExactly(1.5f, -2f);
        assertThat(embeddings.usage().promptTokens()).isEqualTo(2);
    }

    @Test
    void workerErrorsArriveAsTheSameHerdExceptions() throws Exception {
        var remote = remote(worker(List.of()), Map.of());

        assertThatThrownBy(() -> remote.chatCompletion(chat("other", "hi")).block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.code()).isEqualTo("model_not_found");
                    assertThat(e.getMessage()).contains("'other'").contains("tiny");
                });
        assertThatThrownBy(() -> remote.chatCompletion(chat("tiny", "1 2 3 4 5 6 7 8 9")).block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.code()).isEqualTo("context_length_exceeded");
                    assertThat(e.param()).isEqualTo("messages");
                    assertThat(e.httpStatus()).isEqualTo(400);
                });
        assertThatThrownBy(() -> remote.chatCompletion(chat("tiny", "hi").toBuilder().temperature(5.0).build()).block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("temperature"));
    }

    @Test
    void cancellingTheStreamStopsTheWorkersGeneration() throws Exception {
        var remote = remote(worker(List.of()), Map.of());

        List<ChatCompletionChunk> firstThree = remote.streamChatCompletion(chat("tiny", "endless").toBuilder().stream(true).build())
                .take(3).collectList().block(Duration.ofSeconds(10));

        assertThat(firstThree).hasSize(3);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (engine.cancellations.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(engine.cancellations.get()).isEqualTo(1);
    }

    @Test
    void aCallPastItsDeadlineFailsAsAnUpstreamTimeout() throws Exception {
        var remote = remote(worker(List.of()), Map.of("timeout_seconds", 1));
        assertThatThrownBy(() -> remote.chatCompletion(chat("tiny", "stall")).block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.getMessage()).contains("did not answer in time");
                    assertThat(e.httpStatus()).isEqualTo(502);
                });
    }

    @Test
    void apiKeyOfTheWorkerIsSentWhenConfigured() throws Exception {
        WorkerServer server = worker(List.of("worker-secret"));
        assertThatThrownBy(() -> remote(server, Map.of()).chatCompletion(chat("tiny", "hi")).block(Duration.ofSeconds(10)))
                .isInstanceOf(AuthenticationException.class);
        assertThat(remote(server, Map.of("api_key", "worker-secret")).chatCompletion(chat("tiny", "hi")).block(Duration.ofSeconds(10))
                .choices().getFirst().message().text()).isEqualTo("hi");
    }

    @Test
    void listsConfiguredModelsAndDiscoversTheWorkersOthers() throws Exception {
        var remote = remote(worker(List.of()), Map.of());
        List<ModelInfo> models = remote.listModels().collectList().block(Duration.ofSeconds(10));
        // tiny is registered (as tiny-chat), so it is not listed a second time
        assertThat(models).extracting(ModelInfo::identifier).containsExactly("tiny-chat");

        var unregistered = (HerdWorkerInferenceProvider) new HerdWorkerProviderFactory().create(new ProviderContext("inference", "pool",
                HerdWorkerProviderFactory.TYPE, Map.of("url", "127.0.0.1:" + open.stream().filter(WorkerServer.class::isInstance)
                .map(WorkerServer.class::cast).findFirst().orElseThrow().port()), List.of()));
        open.add(unregistered);
        assertThat(unregistered.listModels().collectList().block(Duration.ofSeconds(10)))
                .singleElement().satisfies(m -> {
                    assertThat(m.identifier()).isNull();
                    assertThat(m.providerResourceId()).isEqualTo("tiny");
                    assertThat(m.providerId()).isEqualTo("pool");
                });
    }

    @Test
    void healthFollowsTheWorkersGrpcHealth() throws Exception {
        WorkerServer server = worker(List.of("k"));
        var remote = remote(server, Map.of());
        assertThat(remote.health().block(Duration.ofSeconds(10)).status()).isEqualTo(HealthStatus.OK);

        server.close();
        open.remove(server);
        var afterStop = remote.health().block(Duration.ofSeconds(10));
        assertThat(afterStop.status()).isEqualTo(HealthStatus.ERROR);
        assertThat(afterStop.message()).contains("gpu-pool");
        assertThat(engine.closed.get()).isEqualTo(1);
    }

    @Test
    void badConfigurationIsRejectedNamingTheField() {
        assertThatThrownBy(() -> new HerdWorkerProviderFactory().create(new ProviderContext("inference", "p",
                HerdWorkerProviderFactory.TYPE, Map.of(), List.of()))).hasMessageContaining("url is required");
        assertThatThrownBy(() -> new HerdWorkerProviderFactory().create(new ProviderContext("inference", "p",
                HerdWorkerProviderFactory.TYPE, Map.of("url", "worker"), List.of()))).hasMessageContaining("needs a port");
        assertThatThrownBy(() -> new HerdWorkerProviderFactory().create(new ProviderContext("inference", "p",
                HerdWorkerProviderFactory.TYPE, Map.of("url", "w:1", "timeout", 3), List.of()))).hasMessageContaining("timeout");
    }
}
