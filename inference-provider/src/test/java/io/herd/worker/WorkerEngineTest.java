package io.herd.worker;

import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.InferenceProvider;
import io.herd.api.providers.ProviderContext;
import io.herd.provider.remote.worker.HerdWorkerProviderFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A real worker (the engine on stories260K) reached through remote::herd-worker answers as the engine does in-process. */
class WorkerEngineTest {

    private static final Path MODEL = Path.of(System.getProperty("herd.shared.dir", "../shared"), "models", "stories260K.gguf");

    @Test
    void theWarmUpIsOnUnlessTurnedOff() {
        assumeTrue(Files.exists(MODEL), "stories260K.gguf absent: " + MODEL.toAbsolutePath());
        assertThat(WorkerOptions.parse(new String[] {"--model", MODEL.toString()}, Map.of()).warmup()).isTrue();
        assertThat(WorkerOptions.parse(new String[] {"--model", MODEL.toString(), "--warmup", "off"}, Map.of()).warmup()).isFalse();
        assertThatThrownBy(() -> WorkerOptions.parse(new String[] {"--model", MODEL.toString(), "--warmup", "yes"}, Map.of()))
                .hasMessageContaining("--warmup takes on or off, not 'yes'");
    }

    @Test
    void remoteAnswersEqualInProcessAnswers() throws Exception {
        assumeTrue(Files.exists(MODEL), "stories260K.gguf absent: " + MODEL.toAbsolutePath());
        // Without the warm-up's requests beside them, both providers answer from the same state.
        WorkerOptions options = WorkerOptions.parse(new String[] {"--model", MODEL.toString(), "--port", "0", "--threads", "1",
                "--host", "127.0.0.1", "--warmup", "off"}, Map.of());
        try (InferenceProvider inProcess = WorkerMain.createProvider(options);
             WorkerServer worker = new WorkerServer(WorkerMain.createProvider(options), "127.0.0.1", 0, List.of()).start();
             InferenceProvider remote = new HerdWorkerProviderFactory().create(new ProviderContext("inference", "w",
                     HerdWorkerProviderFactory.TYPE, Map.of("url", "127.0.0.1:" + worker.port()), List.of()))) {

            CompletionRequest completion = CompletionRequest.of("stories260K", "Once upon a time", 24, 0.0);
            String expected = inProcess.completion(completion.withModel(MODEL.toString())).block().choices().getFirst().text();
            String viaWorker = remote.completion(completion).block(Duration.ofSeconds(60)).choices().getFirst().text();
            assertThat(viaWorker).isNotBlank().isEqualTo(expected);

            ChatCompletionRequest chat = ChatCompletionRequest.builder().model("stories260K")
                    .messages(ChatMessage.user("Tell me a story")).maxTokens(16).temperature(0.0).stream(true).build();
            String streamed = remote.streamChatCompletion(chat).collectList().block(Duration.ofSeconds(60)).stream()
                    .flatMap(c -> c.choices().stream()).map(ChatCompletionChunk.ChunkChoice::delta)
                    .filter(d -> d != null && d.content() != null).map(ChatCompletionChunk.Delta::content)
                    .collect(Collectors.joining());
            String unary = inProcess.chatCompletion(chat.toBuilder().stream(false).model(MODEL.toString()).build()).block()
                    .choices().getFirst().message().text();
            assertThat(streamed).isNotEmpty().isEqualTo(unary);
        }
    }
}
