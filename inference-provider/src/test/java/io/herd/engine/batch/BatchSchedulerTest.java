package io.herd.engine.batch;

import io.herd.engine.generate.Delta;
import io.herd.engine.generate.FinishReason;
import io.herd.engine.generate.GenerationRequest;
import io.herd.engine.generate.GenerationResult;
import io.herd.engine.generate.SamplingParameters;
import io.herd.engine.model.KvBlocks;
import io.herd.engine.model.Llama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The scheduler on stories260K: greedy output equal to llama2.c's alone, in a batch of eight, with and
 * without prefix cache hits, at 1 and 2 threads; KV block accounting, queueing, rejection and cancellation.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BatchSchedulerTest {

    private static final String[] OTHER_PROMPTS = {
            "Lily liked to play", "The cat sat on the", "One day a little bird", "Tom and Sam went to the park",
            "There was a big tree", "Mom said", "The sun was hot and"};

    private static Llama reference;
    private static int[] promptIds;
    private static int[] generatedIds;

    @BeforeAll
    static void load() throws IOException {
        int[][] ids = Stories260K.reference();
        promptIds = ids[0];
        generatedIds = ids[1];
        reference = Stories260K.load(1);
    }

    @AfterAll
    static void close() {
        if (reference != null) {
            reference.close();
        }
    }

    private static SchedulerConfig config(Llama model, int blocks, int blockSize) {
        return SchedulerConfig.withBudget(blocks * KvBlocks.bytesPerBlock(model.configuration(), blockSize))
                .withBlockSize(blockSize);
    }

    private static GenerationRequest greedy(int[] prompt, int maxTokens) {
        return GenerationRequest.of(prompt, SamplingParameters.greedy(maxTokens));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void assertNoBlocksHeld(BatchScheduler scheduler) {
        SchedulerStats stats = scheduler.stats();
        assertThat(stats.usedBlocks()).as("blocks held after every generation ended").isZero();
        assertThat(stats.reservedBlocks()).as("blocks still promised").isZero();
        assertThat(stats.running()).isZero();
        assertThat(stats.waiting()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aloneMatchesLlama2c(int threads) throws Exception {
        try (Llama model = Stories260K.load(threads);
             BatchScheduler scheduler = new BatchScheduler(model, config(model, 64, 16))) {
            GenerationHandle handle = scheduler.submit(greedy(promptIds, 60));
            GenerationResult result = handle.collect();
            assertThat(handle.generatedTokens()).containsExactly(generatedIds);
            assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(result.usage().completionTokens()).isEqualTo(60);
            assertThat(result.text()).isEqualTo(reference.tokenizer().decode(generatedIds));
            assertNoBlocksHeld(scheduler);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void eightConcurrentPromptsEachMatchTheirSoloRun(int threads) throws Exception {
        List<int[]> prompts = new ArrayList<>();
        List<int[]> expected = new ArrayList<>();
        prompts.add(promptIds);
        expected.add(generatedIds);
        for (String text : OTHER_PROMPTS) {
            int[] prompt = reference.tokenizer().encode(text, true, false);
            prompts.add(prompt);
            expected.add(Stories260K.greedyReference(reference, prompt, 60));
        }
        try (Llama model = Stories260K.load(threads);
             BatchScheduler scheduler = new BatchScheduler(model, config(model, 64, 16))) {
            List<GenerationHandle> handles = new ArrayList<>();
            for (int[] prompt : prompts) {
                handles.add(scheduler.submit(greedy(prompt, 60)));
            }
            for (int i = 0; i < handles.size(); i++) {
                handles.get(i).collect();
                assertThat(handles.get(i).generatedTokens()).as("prompt %d", i).containsExactly(expected.get(i));
            }
            SchedulerStats stats = scheduler.stats();
            assertThat(stats.steps()).as("sequences shared forward passes").isLessThan(stats.forwardRows() / 4);
            assertNoBlocksHeld(scheduler);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void prefixCacheHitSkipsRecomputationAndKeepsTheOutput(int threads) throws Exception {
        int blockSize = 4;
        int[] continued = concat(promptIds, Arrays.copyOf(generatedIds, 30));
        int[] expectedRest = Arrays.copyOfRange(generatedIds, 30, 60);
        int cacheable = (continued.length - 1) / blockSize * blockSize;
        try (Llama model = Stories260K.load(threads)) {
            for (boolean caching : new boolean[] {true, false}) {
                try (BatchScheduler scheduler = new BatchScheduler(model,
                        config(model, 64, blockSize).withPrefixCaching(caching))) {
                    GenerationHandle first = scheduler.submit(greedy(promptIds, 60));
                    first.collect();
                    assertThat(first.generatedTokens()).containsExactly(generatedIds);
                    long rowsBefore = scheduler.stats().forwardRows();

                    GenerationHandle second = scheduler.submit(greedy(continued, 30));
                    second.collect();
                    assertThat(second.generatedTokens()).as("caching %s", caching).containsExactly(expectedRest);
                    long rows = scheduler.stats().forwardRows() - rowsBefore;
                    int cached = caching ? cacheable : 0;
                    assertThat(second.cachedPromptTokens()).isEqualTo(cached);
                    // Every prompt position not taken from the cache, then each generated token but the last.
                    assertThat(rows).as("forward rows, caching %s", caching).isEqualTo(continued.length - cached + 29);
                    assertNoBlocksHeld(scheduler);
                    SchedulerStats stats = scheduler.stats();
                    if (caching) {
                        assertThat(stats.cachedBlocks()).isPositive();
                    }
                    assertThat(stats.usedBlocks() + stats.cachedBlocks() + stats.freeBlocks()).isEqualTo(stats.totalBlocks());
                }
            }
        }
    }

    @Test
    void stopStringsAndTokensEndGenerationsAsTheSingleSequenceGeneratorDoes() throws Exception {
        String continuation = reference.tokenizer().decode(generatedIds);
        // A word from the middle of the known continuation, so the stop string is certain to be produced.
        String stop = continuation.substring(continuation.length() / 2).strip().split("\\s+")[0];
        List<GenerationRequest> requests = List.of(
                GenerationRequest.of(promptIds, SamplingParameters.builder().temperature(0).maxTokens(60).addStop(stop).build()),
                GenerationRequest.of(promptIds, SamplingParameters.greedy(60)).withExtraStopTokens(java.util.Set.of(generatedIds[10])),
                GenerationRequest.of(promptIds, SamplingParameters.greedy(7)));
        try (Llama model = Stories260K.load(1);
             BatchScheduler scheduler = new BatchScheduler(model, config(model, 64, 16))) {
            List<FinishReason> reasons = List.of(FinishReason.STOP, FinishReason.STOP, FinishReason.LENGTH);
            for (int i = 0; i < requests.size(); i++) {
                GenerationRequest request = requests.get(i);
                GenerationResult expected = new io.herd.engine.generate.Generator(model).complete(request);
                assertThat(expected.finishReason()).as("request %d", i).isEqualTo(reasons.get(i));
                GenerationResult actual = scheduler.submit(request).collect();
                assertThat(actual.text()).isEqualTo(expected.text());
                assertThat(actual.finishReason()).isEqualTo(expected.finishReason());
                assertThat(actual.usage()).isEqualTo(expected.usage());
            }
            assertThat(scheduler.submit(requests.getFirst()).collect().text()).doesNotContain(stop);
            assertNoBlocksHeld(scheduler);
        }
    }

    /**
     * A request submitted while a running slot is free is not refused for a full queue, even before the scheduler
     * thread has moved the one ahead of it into that slot (it was, now and then: a race the served-request count of
     * HerdInferenceProviderBatchingTest caught).
     */
    @Test
    void requestsBoundForAFreeRunningSlotDoNotFillTheQueue() throws Exception {
        try (Llama model = Stories260K.load(1);
             BatchScheduler scheduler = new BatchScheduler(model,
                     config(model, 64, 16).withMaxRunning(1).withMaxWaiting(1))) {
            // the first holds the scheduler thread in its listener once it runs, so it cannot finish meanwhile
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GenerationHandle first = scheduler.submit(greedy(promptIds, 20), new BlockingListener(entered, release, new ArrayList<>()));
            GenerationHandle second;
            try {
                second = scheduler.submit(greedy(promptIds, 20));
                assertThatThrownBy(() -> scheduler.submit(greedy(promptIds, 20))).isInstanceOf(SchedulerFullException.class);
            } finally {
                release.countDown();
            }
            assertThat(second.collect().finishReason()).isEqualTo(FinishReason.LENGTH);
            while (!first.isDone()) {
                Thread.sleep(5);
            }
            assertThat(first.finishReason()).contains(FinishReason.LENGTH);
            assertNoBlocksHeld(scheduler);
        }
    }

    @Test
    void fullQueueRejectsWithRetryAfterAndCancelledWaiterEnds() throws Exception {
        try (Llama model = Stories260K.load(1);
             BatchScheduler scheduler = new BatchScheduler(model,
                     config(model, 64, 16).withMaxRunning(1).withMaxWaiting(1))) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Delta> firstDeltas = new ArrayList<>();
            GenerationHandle first = scheduler.submit(greedy(promptIds, 20), new BlockingListener(entered, release, firstDeltas));
            assertThat(entered.await(1, TimeUnit.MINUTES)).isTrue();

            GenerationHandle waiting = scheduler.submit(greedy(promptIds, 20));
            assertThat(scheduler.stats().waiting()).isEqualTo(1);
            assertThatThrownBy(() -> scheduler.submit(greedy(promptIds, 20)))
                    .isInstanceOfSatisfying(SchedulerFullException.class,
                            e -> assertThat(e.retryAfter().toSeconds()).isBetween(1L, 60L))
                    .hasMessageContaining("1 requests are already waiting");

            waiting.cancel();
            release.countDown();
            GenerationResult cancelled = waiting.collect();
            assertThat(cancelled.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(cancelled.usage().completionTokens()).isZero();
            while (!first.isDone()) {
                Thread.sleep(5);
            }
            assertThat(first.finishReason()).contains(FinishReason.LENGTH);
            assertThat(firstDeltas.getLast().finishReason()).contains(FinishReason.LENGTH);
            assertNoBlocksHeld(scheduler);
        }
    }

    @Test
    void waitsForKvBlocksAndIsAdmittedWhenTheyFree() throws Exception {
        try (Llama model = Stories260K.load(1);
             // 10 blocks of 16: the first request promises 7 (5 + 100 positions), the second needs 5 (5 + 60).
             BatchScheduler scheduler = new BatchScheduler(model, config(model, 10, 16))) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GenerationHandle big = scheduler.submit(greedy(promptIds, 100), new BlockingListener(entered, release, new ArrayList<>()));
            assertThat(entered.await(1, TimeUnit.MINUTES)).isTrue();
            GenerationHandle second = scheduler.submit(greedy(promptIds, 60));
            SchedulerStats stats = scheduler.stats();
            assertThat(stats.running()).isEqualTo(1);
            assertThat(stats.waiting()).as("no room for the second request's blocks").isEqualTo(1);
            assertThat(stats.usedBlocks() + stats.reservedBlocks()).isEqualTo(7);

            big.cancel();
            release.countDown();
            second.collect();
            assertThat(second.generatedTokens()).containsExactly(generatedIds);
            assertThat(big.finishReason()).contains(FinishReason.CANCELLED);
            assertNoBlocksHeld(scheduler);
        }
    }

    @Test
    void cancellationFreesBlocks() throws Exception {
        try (Llama model = Stories260K.load(1);
             BatchScheduler scheduler = new BatchScheduler(model, config(model, 64, 16))) {
            GenerationHandle handle = scheduler.submit(greedy(promptIds, 500));
            assertThat(handle.next()).isPresent();
            handle.cancel();
            GenerationResult rest = handle.collect();
            assertThat(rest.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(handle.usage().completionTokens()).isLessThan(500);
            assertNoBlocksHeld(scheduler);
            assertThat(scheduler.stats().completed()).isEqualTo(1);
        }
    }

    @Test
    void requestLargerThanTheWholeCacheIsRefusedAtOnce() throws Exception {
        try (Llama model = Stories260K.load(1);
             BatchScheduler scheduler = new BatchScheduler(model, config(model, 4, 16))) {
            assertThatThrownBy(() -> scheduler.submit(greedy(promptIds, 200)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("KV cache holds 4 blocks");
            assertNoBlocksHeld(scheduler);
        }
    }

    /** Holds the scheduler thread on the first delta until released, to freeze the scheduler mid-run. */
    private record BlockingListener(CountDownLatch entered, CountDownLatch release, List<Delta> deltas)
            implements GenerationListener {
        @Override
        public void onDelta(Delta delta) {
            deltas.add(delta);
            if (entered.getCount() > 0) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
