package io.herd.engine.batch;

import io.herd.engine.generate.GenerationRequest;
import io.herd.engine.generate.SamplingParameters;
import io.herd.engine.tokenizer.Tokenizer;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Warms the JIT for a model's forward pass before it is measured or serves traffic. Until C2 has compiled them, the
 * Vector API kernels run their vectors as Java objects, many times slower; on 2 cores C2 needs seconds for them, and
 * small kernels called once per token (norms, SwiGLU, RoPE) only get hot after several requests. A 128-token prefill
 * of bench-110m-Q8_0 right after one short warm-up generation ran at about half the speed it reached after six.
 * So a warm-up repeats rounds of real generations until one leaves the JIT compilers (nearly) idle.
 */
public final class JitWarmUp {

    /** One round of warm-up work. */
    @FunctionalInterface
    public interface Round {
        void run() throws InterruptedException;
    }

    /** What round {@code round} took: its wall time and the compilers' time during it (-1 where not observable). */
    public record RoundTime(int round, long wallMillis, long compileMillis) {
    }

    /** A round is quiet when the compilers worked for less than this share of its wall time. */
    static final double QUIET_COMPILE_SHARE = 0.05;

    private JitWarmUp() {
    }

    /** Rounds of an until-quiet warm-up where compile time cannot be observed (HotSpot observes it). */
    static final int UNOBSERVED_ROUNDS = 3;

    static boolean compileTimeObservable() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported();
    }

    /**
     * Runs {@code round} up to {@code maxRounds} times; with {@code untilQuiet} it stops after the first quiet round,
     * or, where compile time cannot be observed, after {@value #UNOBSERVED_ROUNDS} rounds. Returns the number of rounds run.
     */
    public static int run(int maxRounds, boolean untilQuiet, Round round, Consumer<RoundTime> progress)
            throws InterruptedException {
        CompilationMXBean jit = compileTimeObservable() ? ManagementFactory.getCompilationMXBean() : null;
        if (untilQuiet && jit == null) {
            maxRounds = Math.min(maxRounds, UNOBSERVED_ROUNDS);
        }
        for (int r = 1; r <= maxRounds; r++) {
            long compiledBefore = jit == null ? 0 : jit.getTotalCompilationTime();
            long start = System.nanoTime();
            round.run();
            long wallMillis = (System.nanoTime() - start) / 1_000_000;
            long compileMillis = jit == null ? -1 : jit.getTotalCompilationTime() - compiledBefore;
            progress.accept(new RoundTime(r, wallMillis, compileMillis));
            if (untilQuiet && jit != null && isQuiet(wallMillis, compileMillis)) {
                return r;
            }
        }
        return maxRounds;
    }

    static boolean isQuiet(long wallMillis, long compileMillis) {
        return compileMillis < QUIET_COMPILE_SHARE * wallMillis;
    }

    /**
     * A round of greedy generations on {@code scheduler}, all submitted together: one with a prompt of
     * {@code promptTokens} (BOS, then {@code text} repeated) and {@code extraSequences} more with 16-token prompts, each
     * generating {@code genTokens} tokens, so the prompt, decode and batched-decode paths all run. Every round changes
     * the prompts' second token, so the prefix cache cannot skip the prefill the round is there to warm.
     */
    public static Round schedulerRound(BatchScheduler scheduler, Tokenizer tokenizer, String text, int promptTokens,
                                       int extraSequences, int genTokens) {
        int[] unit = tokenizer.encode(text, false, false);
        if (unit.length == 0) {
            throw new IllegalArgumentException("warm-up text encodes to no tokens");
        }
        int[] round = {0};
        return () -> {
            round[0]++;
            SamplingParameters greedy = SamplingParameters.greedy(genTokens);
            List<GenerationHandle> handles = new ArrayList<>();
            try {
                for (int s = 0; s <= extraSequences; s++) {
                    int length = s == 0 ? promptTokens : Math.min(promptTokens, 16);
                    int variant = round[0] * (extraSequences + 1) + s;
                    handles.add(scheduler.submit(GenerationRequest.of(prompt(tokenizer, unit, length, variant), greedy)));
                }
                for (GenerationHandle handle : handles) {
                    handle.collect();
                }
            } finally {
                handles.forEach(GenerationHandle::cancel);
            }
        };
    }

    /** BOS, then {@code unit} repeated, cut to {@code length} tokens; {@code variant} > 0 changes token 1. */
    public static int[] prompt(Tokenizer tokenizer, int[] unit, int length, int variant) {
        int[] prompt = new int[length];
        prompt[0] = tokenizer.bosToken();
        for (int i = 1; i < length; i++) {
            prompt[i] = unit[(i - 1) % unit.length];
        }
        if (variant > 0 && length > 1) {
            // A different ordinary token per variant keeps prompts distinct (ids 0-2 are special in Llama vocabularies).
            prompt[1] = 3 + Math.floorMod(prompt[1] + variant * 7919, tokenizer.vocabularySize() - 3);
        }
        return prompt;
    }
}
