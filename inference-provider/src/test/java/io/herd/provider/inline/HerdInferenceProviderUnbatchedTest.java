package io.herd.provider.inline;

import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.models.RegisteredModel;
import io.herd.engine.model.LanguageModel;
import io.herd.engine.model.ModelState;
import io.herd.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A model without batched forward passes still runs, one generation per worker. */
class HerdInferenceProviderUnbatchedTest {

    private static final Path SHARED = Path.of(System.getProperty("herd.shared.dir", "../shared"));
    private static final Path MODEL = SHARED.resolve("models/stories260K.gguf");
    private static final Path REFERENCE = SHARED.resolve("models/reference/stories260K_t0_n64_once.txt");

    /** Hides that the wrapped model could batch. */
    private record SingleSequenceOnly(LanguageModel model) implements LanguageModel {
        public String name() {
            return model.name();
        }

        public int vocabularySize() {
            return model.vocabularySize();
        }

        public int maxContextLength() {
            return model.maxContextLength();
        }

        public Tokenizer tokenizer() {
            return model.tokenizer();
        }

        public Optional<String> chatTemplate() {
            return model.chatTemplate();
        }

        public ModelState newState(int contextLength) {
            return model.newState(contextLength);
        }

        public float[] forward(ModelState state, int token, int position) {
            return model.forward(state, token, position);
        }

        public void close() {
            model.close();
        }
    }

    @Test
    void greedyCompletionMatchesLlama2cAndCancelledStreamsEnd() throws IOException {
        assumeTrue(Files.exists(MODEL) && Files.exists(REFERENCE), "test model or llama2.c reference absent under " + SHARED);
        ModelOpener opener = (file, threads) -> new SingleSequenceOnly(ModelOpener.gguf().open(file, threads));
        try (HerdInferenceProvider provider = new HerdInferenceProvider("herd", new HerdInlineConfig(1, null, null, 2),
                List.of(new RegisteredModel("stories", "herd", MODEL.toString(), null, null)), opener)) {
            assertThat(provider.schedulerStats(MODEL.toString())).isEmpty();
            Completion c = provider.completion(CompletionRequest.of(MODEL.toString(), "Once upon a time", 60, 0.0))
                    .block(Duration.ofSeconds(60));
            assertThat("Once upon a time" + c.choices().getFirst().text())
                    .isEqualTo(Files.readString(REFERENCE, StandardCharsets.UTF_8).stripTrailing());
            List<ChatCompletionChunk> first = provider.streamChatCompletion(ChatCompletionRequest.builder()
                    .model(MODEL.toString()).messages(ChatMessage.user("Once")).maxTokens(400).build())
                    .take(3).collectList().block(Duration.ofSeconds(30));
            assertThat(first).hasSize(3);
        }
    }
}
