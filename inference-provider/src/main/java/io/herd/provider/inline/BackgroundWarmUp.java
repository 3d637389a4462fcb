package io.herd.provider.inline;

import io.herd.engine.batch.BatchScheduler;
import io.herd.engine.batch.JitWarmUp;
import io.herd.engine.model.BatchedLanguageModel;

/**
 * The {@code warmup} option of {@code inline::herd}: after a batched model loads, {@link JitWarmUp} rounds run on a
 * virtual thread through the model's scheduler (a 128-token prompt beside a few short ones, 16 tokens each) until the
 * JIT compilers are idle. Requests are served meanwhile and share the batches; the warm-up ends quietly when requests
 * fill the scheduler or the provider closes.
 */
final class BackgroundWarmUp {

    private static final System.Logger LOG = System.getLogger(BackgroundWarmUp.class.getName());
    private static final String TEXT = "Once upon a time";
    private static final int PROMPT_TOKENS = 128;
    private static final int GENERATED_TOKENS = 16;
    private static final int EXTRA_SEQUENCES = 3;
    private static final int MAX_ROUNDS = 8;

    private BackgroundWarmUp() {
    }

    static void start(String modelId, BatchedLanguageModel model, BatchScheduler scheduler, int context, int maxRunning) {
        int promptTokens = Math.min(PROMPT_TOKENS, context - GENERATED_TOKENS - 1);
        if (promptTokens < 2) {
            return;
        }
        int extraSequences = Math.min(EXTRA_SEQUENCES, maxRunning - 1);
        Thread.ofVirtual().name("herd-warmup-" + modelId).start(() -> {
            long start = System.nanoTime();
            try {
                JitWarmUp.Round round = JitWarmUp.schedulerRound(scheduler, model.tokenizer(), TEXT, promptTokens,
                        extraSequences, GENERATED_TOKENS);
                int rounds = JitWarmUp.run(MAX_ROUNDS, true, round, t -> { });
                LOG.log(System.Logger.Level.INFO, "model ''{0}'' warmed up: {1} rounds in {2} ms", modelId, rounds,
                        (System.nanoTime() - start) / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.INFO, "model ''{0}'': warm-up ended early: {1}", modelId, e.getMessage());
            }
        });
    }
}
