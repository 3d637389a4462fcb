package io.herd.provider.inline;

import io.herd.api.common.ContextLengthExceededException;
import io.herd.api.common.InvalidRequestException;
import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.StreamOptions;
import io.herd.api.models.RegisteredModel;
import io.herd.api.providers.ProviderContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code inline::herd} on the real stories260K model, checked against llama2.c's own greedy output. */
class HerdInferenceProviderTest {

    private static final Path SHARED = Path.of(System.getProperty("herd.shared.dir", "../shared"));
    private static final Path MODEL = SHARED.resolve("models/stories260K.gguf");
    private static final Path REFERENCE = SHARED.resolve("models/reference/stories260K_t0_n64_once.txt");

    private static HerdInferenceProvider provider;

    @BeforeAll
    static void load() {
        assumeTrue(Files.exists(MODEL), "test model absent: " + MODEL);
        provider = (HerdInferenceProvider) new HerdInferenceProviderFactory().create(new ProviderContext("inference", "herd",
                HerdInferenceProviderFactory.TYPE, Map.of("threads", 1),
                List.of(new RegisteredModel("stories", "herd", MODEL.toString(), null, null))));
    }

    @AfterAll
    static void close() {
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void greedyCompletionMatchesLlama2c() throws IOException {
        // llama2.c: ./run stories260K.bin -t 0 -n 64 -i "Once upon a time" -> 4 prompt tokens after BOS, 60 generated.
        String reference = Files.readString(REFERENCE, StandardCharsets.UTF_8);
        String prompt = "Once upon a time";
        Completion c = provider.completion(CompletionRequest.of(MODEL.toString(), prompt, 60, 0.0)).block(Duration.ofSeconds(60));
        String text = c.choices().getFirst().text();
        assertThat(prompt + text).isEqualTo(reference.stripTrailing());
        assertThat(c.choices().getFirst().finishReason()).isEqualTo("length");
        assertThat(c.usage().promptTokens()).isEqualTo(5);
        assertThat(c.usage().completionTokens()).isEqualTo(60);
    }

    @Test
    void streamedChatHasRoleContentFinishAndUsageAndEqualsTheNonStreamedAnswer() {
        ChatCompletionRequest request = ChatCompletionRequest.builder().model(MODEL.toString())
                .messages(ChatMessage.user("Tell me a story")).temperature(0.0).maxTokens(20).build();
        ChatCompletion whole = provider.chatCompletion(request).block(Duration.ofSeconds(60));
        List<ChatCompletionChunk> chunks = provider.streamChatCompletion(request.toBuilder()
                .streamOptions(new StreamOptions(true)).build()).collectList().block(Duration.ofSeconds(60));
        assertThat(chunks.getFirst().choices().getFirst().delta().role()).isNotNull();
        StringBuilder text = new StringBuilder();
        chunks.forEach(ch -> ch.choices().forEach(choice -> {
            if (choice.delta().content() != null) {
                text.append(choice.delta().content());
            }
        }));
        assertThat(text.toString()).isEqualTo(whole.choices().getFirst().message().text()).isNotEmpty();
        ChatCompletionChunk usage = chunks.getLast();
        assertThat(usage.choices()).isEmpty();
        assertThat(usage.usage()).isEqualTo(whole.usage());
        assertThat(chunks.get(chunks.size() - 2).choices().getFirst().finishReason()).isEqualTo(whole.choices().getFirst().finishReason());
        assertThat(whole.usage().completionTokens()).isLessThanOrEqualTo(20);
    }

    @Test
    void promptOverTheContextIsRejectedBeforeGenerating() {
        String huge = "Once upon a time ".repeat(1000);
        assertThatThrownBy(() -> provider.chatCompletion(ChatCompletionRequest.builder().model(MODEL.toString())
                .messages(ChatMessage.user(huge)).build()).block())
                .isInstanceOfSatisfying(ContextLengthExceededException.class, e -> {
                    assertThat(e.code()).isEqualTo("context_length_exceeded");
                    assertThat(e.httpStatus()).isEqualTo(400);
                });
        assertThatThrownBy(() -> provider.chatCompletion(ChatCompletionRequest.builder().model(MODEL.toString())
                .messages(ChatMessage.user("hi")).n(2).build()).block())
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("n"));
    }

    @Test
    void takingPartOfAStreamStopsTheGeneration() {
        List<ChatCompletionChunk> first = provider.streamChatCompletion(ChatCompletionRequest.builder().model(MODEL.toString())
                .messages(ChatMessage.user("Once")).maxTokens(400).build()).take(3).collectList().block(Duration.ofSeconds(30));
        assertThat(first).hasSize(3);
        // The provider must still serve a request afterwards (the cancelled generation released its worker and state).
        Completion next = provider.completion(CompletionRequest.of(MODEL.toString(), "Once upon a time", 5, 0.0))
                .block(Duration.ofSeconds(30));
        assertThat(next.usage().completionTokens()).isEqualTo(5);
    }
}
