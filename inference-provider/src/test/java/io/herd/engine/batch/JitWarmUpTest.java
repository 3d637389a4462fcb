package io.herd.engine.batch;

import io.herd.engine.generate.FakeTokenizer;
import io.herd.engine.model.KvBlocks;
import io.herd.engine.model.Llama;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JitWarmUpTest {

    @Test
    void aFixedCountRunsEveryRoundAndReportsEach() throws InterruptedException {
        List<JitWarmUp.RoundTime> reported = new ArrayList<>();
        int[] runs = {0};
        int rounds = JitWarmUp.run(3, false, () -> runs[0]++, reported::add);
        assertThat(rounds).isEqualTo(3);
        assertThat(runs[0]).isEqualTo(3);
        assertThat(reported).extracting(JitWarmUp.RoundTime::round).containsExactly(1, 2, 3);
    }

    @Test
    void aRoundIsQuietWhenTheCompilersWorkedUnderFivePercentOfIt() {
        assertThat(JitWarmUp.isQuiet(1000, 49)).isTrue();
        assertThat(JitWarmUp.isQuiet(1000, 50)).isFalse();
        assertThat(JitWarmUp.isQuiet(1000, 4000)).isFalse(); // two compiler threads can exceed the wall time
        assertThat(JitWarmUp.isQuiet(0, 0)).isFalse(); // an empty round says nothing
    }

    @Test
    void untilQuietStopsAtTheFirstQuietRound() throws InterruptedException {
        // Sleeping rounds give the compilers nothing new; within 20 of them one is quiet (any earlier compile backlog
        // drains), so the warm-up ends early.
        int rounds = JitWarmUp.run(20, true, () -> Thread.sleep(100), t -> { });
        if (JitWarmUp.compileTimeObservable()) {
            assertThat(rounds).isLessThan(20);
        } else {
            assertThat(rounds).isEqualTo(JitWarmUp.UNOBSERVED_ROUNDS);
        }
    }

    @Test
    void promptsAreBosThenTheUnitRepeatedAndVariantsDifferInTheSecondToken() {
        var tokenizer = new FakeTokenizer(List.of("<unk>", "<s>", "</s>", "a", "b"), Set.of("<unk>", "<s>", "</s>"),
                "<s>", "</s>", Set.of("</s>"));
        assertThat(JitWarmUp.prompt(tokenizer, new int[] {3, 4}, 6, 0)).containsExactly(1, 3, 4, 3, 4, 3);
        // token 1 becomes 3 + (3 + 2 * 7919) mod (5 - 3): an ordinary token, never a special one
        assertThat(JitWarmUp.prompt(tokenizer, new int[] {3, 4}, 6, 2)).containsExactly(1, 4, 4, 3, 4, 3);
    }

    @Test
    void schedulerRoundsRunEveryPathWithoutHittingThePrefixCache() throws Exception {
        try (Llama model = Stories260K.load(1)) {
            int blockSize = 16;
            SchedulerConfig config = SchedulerConfig.withBudget(64 * KvBlocks.bytesPerBlock(model.configuration(), blockSize))
                    .withBlockSize(blockSize).withMaxRunning(4).withPrefixCaching(true);
            try (BatchScheduler scheduler = new BatchScheduler(model, config)) {
                JitWarmUp.Round round = JitWarmUp.schedulerRound(scheduler, model.tokenizer(), "Once upon a time", 48, 3, 4);
                assertThat(JitWarmUp.run(2, false, round, t -> { })).isEqualTo(2);
                SchedulerStats stats = scheduler.stats();
                assertThat(stats.completed()).isEqualTo(8);
                // 2 rounds x (48 + 3 x 16 prompt tokens + 4 x 4 decode steps): nothing came from the cache
                assertThat(stats.prefixHitTokens()).isZero();
                assertThat(stats.forwardRows()).isGreaterThanOrEqualTo(2 * (48 + 3 * 16));
                assertThat(stats.running()).isZero();
            }
        }
    }

    @Test
    void aTextWithoutTokensIsRefused() throws Exception {
        try (Llama model = Stories260K.load(1);
             BatchScheduler scheduler = new BatchScheduler(model, SchedulerConfig.withBudget(
                     16 * KvBlocks.bytesPerBlock(model.configuration(), SchedulerConfig.DEFAULT_BLOCK_SIZE)))) {
            assertThatThrownBy(() -> JitWarmUp.schedulerRound(scheduler, model.tokenizer(), "", 8, 0, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no tokens");
        }
    }
}
