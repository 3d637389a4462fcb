package io.herd.provider.inline;

import io.herd.api.common.HerdException;
import io.herd.api.common.OverloadedException;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.models.RegisteredModel;
import io.herd.api.providers.ProviderContext;
import io.herd.engine.batch.SchedulerStats;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code inline::herd} serving stories260K through its batch scheduler, checked against llama2.c's greedy output. */
class HerdInferenceProviderBatchingTest {

    private static final Path SHARED = Path.of(System.getProperty("herd.shared.dir", "../shared"));
    private static final Path MODEL = SHARED.resolve("models/stories260K.gguf");
    private static final Path REFERENCE = SHARED.resolve("models/reference/stories260K_t0_n64_once.txt");
    private static final String PROMPT = "Once upon a time";

    private static HerdInferenceProvider provider(Map<String, Object> config) {
        assumeTrue(Files.exists(MODEL), "test model absent: " + MODEL);
        return (HerdInferenceProvider) new HerdInferenceProviderFactory().create(new ProviderContext("inference", "herd",
                HerdInferenceProviderFactory.TYPE, config,
                List.of(new RegisteredModel("stories", "herd", MODEL.toString(), null, null))));
    }

    @Test
    void concurrentGreedyRequestsAllGetLlama2csAnswer() throws IOException {
        assumeTrue(Files.exists(REFERENCE), "llama2.c reference absent: " + REFERENCE);
        String reference = Files.readString(REFERENCE, StandardCharsets.UTF_8).stripTrailing();
        try (HerdInferenceProvider provider = provider(Map.of("threads", 1, "max_running", 4))) {
            assertThat(provider.schedulerStats(MODEL.toString())).as("a Llama model is served by a scheduler").isPresent();
            // Different lengths, so sequences join and leave the batch at different steps; more requests than
            // max_running, so some wait for a slot.
            int[] lengths = {60, 7, 33, 60, 1, 45, 20, 60};
            List<CompletableFuture<Completion>> futures = new ArrayList<>();
            for (int n : lengths) {
                futures.add(provider.completion(CompletionRequest.of(MODEL.toString(), PROMPT, n, 0.0)).toFuture());
            }
            for (int i = 0; i < lengths.length; i++) {
                Completion c = futures.get(i).orTimeout(60, TimeUnit.SECONDS).join();
                String text = PROMPT + c.choices().getFirst().text();
                assertThat(c.usage().completionTokens()).isEqualTo(lengths[i]);
                assertThat(c.choices().getFirst().finishReason()).isEqualTo("length");
                if (lengths[i] == 60) {
                    assertThat(text).isEqualTo(reference);
                } else {
                    assertThat(reference).startsWith(text);
                    assertThat(text.length()).isGreaterThan(PROMPT.length());
                }
            }
            SchedulerStats stats = provider.schedulerStats(MODEL.toString()).orElseThrow();
            assertThat(stats.completed()).isEqualTo(lengths.length);
        }
    }

    @Test
    void aWarmUpRunsInTheBackgroundWhileRequestsAreServedAlike() throws IOException {
        assumeTrue(Files.exists(REFERENCE), "llama2.c reference absent: " + REFERENCE);
        String reference = Files.readString(REFERENCE, StandardCharsets.UTF_8).stripTrailing();
        try (HerdInferenceProvider provider = provider(Map.of("threads", 1, "max_running", 4, "warmup", true))) {
            // Served during the warm-up and sharing its batches: the same greedy answer as alone.
            Completion c = provider.completion(CompletionRequest.of(MODEL.toString(), PROMPT, 60, 0.0))
                    .block(Duration.ofSeconds(60));
            assertThat(PROMPT + c.choices().getFirst().text()).isEqualTo(reference);
            // A round is a long prompt beside 3 short ones, each generating 16 tokens.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (provider.schedulerStats(MODEL.toString()).orElseThrow().completed() < 1 + 4
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(provider.schedulerStats(MODEL.toString()).orElseThrow().completed()).isGreaterThanOrEqualTo(1 + 4);
        }
    }

    @Test
    void withoutWarmUpOnlyRequestsRun() {
        try (HerdInferenceProvider provider = provider(Map.of("threads", 1))) {
            provider.completion(CompletionRequest.of(MODEL.toString(), PROMPT, 5, 0.0)).block(Duration.ofSeconds(30));
            assertThat(provider.schedulerStats(MODEL.toString()).orElseThrow().completed()).isEqualTo(1);
        }
    }

    @Test
    void aRepeatedPromptReusesCachedBlocksAndGivesTheSameAnswer() {
        String prompt = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog.";
        try (HerdInferenceProvider provider = provider(Map.of("threads", 1))) {
            Completion first = provider.completion(CompletionRequest.of(MODEL.toString(), prompt, 20, 0.0))
                    .block(Duration.ofSeconds(30));
            assertThat(first.usage().promptTokens()).as("the prompt spans full KV blocks").isGreaterThan(17);
            assertThat(provider.schedulerStats(MODEL.toString()).orElseThrow().prefixHitTokens()).isZero();
            Completion second = provider.completion(CompletionRequest.of(MODEL.toString(), prompt, 20, 0.0))
                    .block(Duration.ofSeconds(30));
            assertThat(provider.schedulerStats(MODEL.toString()).orElseThrow().prefixHitTokens())
                    .isEqualTo((first.usage().promptTokens() - 1) / 16 * 16L);
            assertThat(second.choices().getFirst().text()).isEqualTo(first.choices().getFirst().text());
            assertThat(second.usage()).isEqualTo(first.usage());
        }
    }

    @Test
    void aFullQueueIsRefusedAsOverloadedWithARetryAfter() {
        try (HerdInferenceProvider provider = provider(Map.of("threads", 1, "max_running", 1, "max_waiting", 1))) {
            List<CompletableFuture<Completion>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(provider.completion(CompletionRequest.of(MODEL.toString(), PROMPT, 400, 0.0)).toFuture());
            }
            List<Throwable> refusals = new ArrayList<>();
            int served = 0;
            for (CompletableFuture<Completion> f : futures) {
                try {
                    Completion c = f.orTimeout(60, TimeUnit.SECONDS).join();
                    assertThat(c.usage().completionTokens()).isPositive();
                    served++;
                } catch (CompletionException e) {
                    refusals.add(e.getCause());
                }
            }
            assertThat(served).as("the running and the waiting request are served").isGreaterThanOrEqualTo(2);
            assertThat(refusals).isNotEmpty().allSatisfy(e -> {
                assertThat(e).isInstanceOf(OverloadedException.class);
                HerdException herd = (HerdException) e;
                assertThat(herd.httpStatus()).isEqualTo(503);
                assertThat(herd.retryAfter()).isNotNull().isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            });
        }
    }

    @Test
    void cancellingAStreamFreesItsKvBlocks() throws InterruptedException {
        try (HerdInferenceProvider provider = provider(Map.of("threads", 1, "prefix_cache", false))) {
            List<ChatCompletionChunk> first = provider.streamChatCompletion(ChatCompletionRequest.builder()
                    .model(MODEL.toString()).messages(ChatMessage.user("Once")).temperature(0.0).maxTokens(400).build())
                    .take(3).collectList().block(Duration.ofSeconds(30));
            assertThat(first).hasSize(3);
            SchedulerStats stats = awaitIdle(provider);
            assertThat(stats.running()).isZero();
            assertThat(stats.waiting()).isZero();
            assertThat(stats.usedBlocks()).isZero();
            assertThat(stats.reservedBlocks()).isZero();
            assertThat(stats.cachedBlocks()).isZero();
            assertThat(stats.freeBlocks()).isEqualTo(stats.totalBlocks());
            // Cancelled after a few tokens: far fewer rows than the 400 tokens asked for were computed.
            assertThat(stats.forwardRows()).isLessThan(200);
        }
    }

    /** Waits (bounded) until the scheduler has ended every generation and holds no block for one. */
    private static SchedulerStats awaitIdle(HerdInferenceProvider provider) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        SchedulerStats stats;
        do {
            stats = provider.schedulerStats(MODEL.toString()).orElseThrow();
            if (stats.running() == 0 && stats.waiting() == 0 && stats.usedBlocks() == 0 && stats.reservedBlocks() == 0) {
                return stats;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        return stats;
    }
}
