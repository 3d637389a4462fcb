package io.herd.engine.cli;

import io.herd.engine.generate.Generation;
import io.herd.engine.generate.GenerationRequest;
import io.herd.engine.generate.Generator;
import io.herd.engine.generate.Sampler;
import io.herd.engine.generate.SamplingParameters;
import io.herd.engine.model.LanguageModel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * {@code herd bench}: prompt (prefill) and generation speed of a model, and the time the sampler
 * adds per token at the model's vocabulary size. Greedy decoding from a fixed random prompt, so every
 * run generates the same tokens (a stop token may end the runs early: rates count the tokens made);
 * one warm-up run for the JIT, then the median of the runs.
 */
final class Bench {

    private final EngineLoader loader;
    private final PrintStream out;
    private final PrintStream err;

    Bench(EngineLoader loader, PrintStream out, PrintStream err) {
        this.loader = loader;
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws UsageException, IOException {
        CommandLine line = CommandLine.parse("bench", args,
                Set.of("--model", "--tokenizer", "--prompt-tokens", "--tokens", "--runs", "--threads", "--sampler-ms"), Set.of(), Set.of());
        Path modelPath = line.path("--model").orElseThrow(() -> new UsageException("'bench' needs --model"));
        int promptTokens = positive(line, "--prompt-tokens", 32);
        int tokens = positive(line, "--tokens", 64);
        int runs = positive(line, "--runs", 3);
        int threads = HerdCli.threads(line);
        long samplerNanos = positive(line, "--sampler-ms", 1000) * 1_000_000L;
        try (LanguageModel model = loader.loadModel(modelPath, line.path("--tokenizer").orElse(null), threads)) {
            if (promptTokens + tokens > model.maxContextLength()) {
                throw new UsageException("--prompt-tokens + --tokens (" + (promptTokens + tokens) + ") exceed the model's context of "
                        + model.maxContextLength());
            }
            int[] prompt = syntheticPrompt(model, promptTokens);
            SamplingParameters greedy = SamplingParameters.greedy(tokens);
            double[] prefill = new double[runs];
            double[] decode = new double[runs];
            for (int run = -1; run < runs; run++) {
                Timing timing = generate(model, prompt, greedy);
                if (run >= 0) {
                    prefill[run] = promptTokens / timing.prefillSeconds();
                    decode[run] = timing.decodedTokens() / timing.decodeSeconds();
                }
            }
            double samplerMicros = samplerMicrosPerToken(model.vocabularySize(), samplerNanos);
            out.printf(Locale.ROOT, "model %s, %d threads, vocabulary %d%n", model.name(),
                    threads == 0 ? Runtime.getRuntime().availableProcessors() : threads, model.vocabularySize());
            out.printf(Locale.ROOT, "prompt     %5d tokens: %10.1f tok/s (median of %d; min %.1f, max %.1f)%n",
                    promptTokens, median(prefill), runs, min(prefill), max(prefill));
            out.printf(Locale.ROOT, "generation %5d tokens: %10.1f tok/s (median of %d; min %.1f, max %.1f)%n",
                    tokens, median(decode), runs, min(decode), max(decode));
            out.printf(Locale.ROOT, "sampler (temperature 0.8, top-p 0.9): %.1f us per token%n", samplerMicros);
        }
        return HerdCli.OK;
    }

    private record Timing(double prefillSeconds, double decodeSeconds, int decodedTokens) {
    }

    private static Timing generate(LanguageModel model, int[] prompt, SamplingParameters sampling) {
        try (Generation generation = new Generator(model).start(GenerationRequest.of(prompt, sampling))) {
            long start = System.nanoTime();
            generation.collect();
            long total = System.nanoTime() - start;
            long prefill = generation.prefillNanos();
            int decoded = Math.max(1, generation.usage().completionTokens() - 1);
            return new Timing(prefill / 1e9, Math.max(1, total - prefill) / 1e9, decoded);
        }
    }

    /** Random non-special tokens after BOS: the forward pass costs the same whatever the text. */
    private static int[] syntheticPrompt(LanguageModel model, int length) {
        RandomGenerator random = java.util.random.RandomGeneratorFactory.of("L64X128MixRandom").create(42);
        int[] prompt = new int[length];
        prompt[0] = model.tokenizer().bosToken();
        for (int i = 1; i < length; i++) {
            int token;
            do {
                token = random.nextInt(model.vocabularySize());
            } while (model.tokenizer().isSpecial(token));
            prompt[i] = token;
        }
        return prompt;
    }

    /** Warms up for {@code nanos}, then measures for as long. */
    private static double samplerMicrosPerToken(int vocabularySize, long nanos) {
        SamplingParameters parameters = SamplingParameters.builder().temperature(0.8).topP(0.9).seed(1L).maxTokens(1).build();
        Sampler sampler = new Sampler(parameters, vocabularySize, new int[0]);
        RandomGenerator random = java.util.random.RandomGeneratorFactory.of("L64X128MixRandom").create(43);
        float[] logits = new float[vocabularySize];
        for (int i = 0; i < vocabularySize; i++) {
            logits[i] = (float) (3 * random.nextGaussian());
        }
        // Time-boxed rather than counted: a large vocabulary takes milliseconds per draw, a small one microseconds.
        int sink = 0;
        long warmUpEnd = System.nanoTime() + nanos;
        while (System.nanoTime() < warmUpEnd) {
            sink += sampler.sample(logits);
        }
        int samples = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            sink += sampler.sample(logits);
            samples++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < nanos);
        if (sink == Integer.MIN_VALUE) {
            throw new AssertionError(); // keeps the loop's result alive
        }
        return elapsed / 1e3 / samples;
    }

    private static int positive(CommandLine line, String option, int fallback) throws UsageException {
        int value = line.integer(option).orElse(fallback);
        if (value < 1) {
            throw new UsageException(option + " must be at least 1, was " + value);
        }
        return value;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(0);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }
}
