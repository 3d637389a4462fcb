package io.herd.engine.cli;

import io.herd.engine.batch.BatchScheduler;
import io.herd.engine.batch.GenerationHandle;
import io.herd.engine.batch.GenerationListener;
import io.herd.engine.batch.JitWarmUp;
import io.herd.engine.batch.SchedulerConfig;
import io.herd.engine.generate.Delta;
import io.herd.engine.generate.GenerationRequest;
import io.herd.engine.generate.SamplingParameters;
import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.model.GGUFLlamaReader;
import io.herd.engine.model.KvBlocks;
import io.herd.engine.model.Llama;
import io.herd.engine.tensor.Parallel;
import io.herd.engine.tokenizer.Tokenizer;
import io.herd.engine.tokenizer.Tokenizers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code herd bench}: prompt and decode speed, batched throughput and the prefix cache's effect, measured
 * as /work/shared/bench/README.md does for llama.cpp: the prompt is exactly P tokens including BOS (a
 * sentence repeated), EOS is ignored so exactly N tokens are generated, greedy; prefill = P / time to the
 * first generated token, decode = (N-1) / time from the first generated token to the last. Everything runs
 * through the {@link BatchScheduler}, as served requests do.
 */
final class BenchCommand {

    private static final String PROMPT_UNIT = "Once upon a time";
    private static final int PREFIX_NEW_TOKENS = 20;
    private static final int BLOCK_SIZE = SchedulerConfig.DEFAULT_BLOCK_SIZE;

    /** The largest KV budget any scheduler of this run was given (the RSS bound counts it). */
    private long largestKvBudget;

    private final PrintStream out;
    private final PrintStream err;

    BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * @param warmups warm-up rounds: exactly this many, or {@link #WARMUP_AUTO}: until the JIT is quiet
     */
    record Options(Path model, int threads, int promptTokens, int genTokens, List<Integer> batches, int prefixTokens,
                   int warmups, boolean json) {
    }

    /** {@code --warmup auto}: rounds until one leaves the JIT compilers idle ({@link JitWarmUp}), at most {@value #MAX_AUTO_WARMUPS}. */
    static final int WARMUP_AUTO = -1;
    static final int MAX_AUTO_WARMUPS = 8;

    static Options parse(List<String> args) throws UsageException {
        CommandLine line = CommandLine.parse("bench", args, Set.of("--model", "--threads", "--prompt-tokens", "--gen-tokens",
                "--batch", "--prefix-tokens", "--warmup"), Set.of(), Set.of("--json"));
        Path model = line.path("--model").orElseThrow(() -> new UsageException("'bench' needs --model"));
        int threads = line.integer("--threads").orElse(Runtime.getRuntime().availableProcessors());
        int promptTokens = line.integer("--prompt-tokens").orElse(128);
        int genTokens = line.integer("--gen-tokens").orElse(128);
        int prefixTokens = line.integer("--prefix-tokens").orElse(1000);
        int warmups = warmups(line.string("--warmup").orElse("auto"));
        require(threads >= 1, "--threads must be at least 1, was " + threads);
        require(promptTokens >= 2, "--prompt-tokens must be at least 2 (BOS and one token), was " + promptTokens);
        require(genTokens >= 2, "--gen-tokens must be at least 2 (decode speed needs two tokens), was " + genTokens);
        require(prefixTokens >= 0, "--prefix-tokens must be 0 (skip) or more, was " + prefixTokens);
        List<Integer> batches = new ArrayList<>();
        for (String part : line.string("--batch").orElse("1").split(",")) {
            try {
                int batch = Integer.parseInt(part.strip());
                require(batch >= 1, "--batch sizes must be at least 1, was " + batch);
                batches.add(batch);
            } catch (NumberFormatException e) {
                throw new UsageException("--batch takes comma-separated sizes such as 1,8; '" + part + "' is not a number");
            }
        }
        return new Options(model, threads, promptTokens, genTokens, batches, prefixTokens, warmups, line.has("--json"));
    }

    private static int warmups(String value) throws UsageException {
        if (value.equals("auto")) {
            return WARMUP_AUTO;
        }
        try {
            int rounds = Integer.parseInt(value.strip());
            require(rounds >= 0, "--warmup must be 'auto' or 0 or more rounds, was " + rounds);
            return rounds;
        } catch (NumberFormatException e) {
            throw new UsageException("--warmup must be 'auto' or a number of rounds, was '" + value + "'");
        }
    }

    private static void require(boolean condition, String message) throws UsageException {
        if (!condition) {
            throw new UsageException(message);
        }
    }

    int run(Options o) throws IOException, InterruptedException, UsageException {
        if (!Files.isRegularFile(o.model())) {
            throw new java.nio.file.NoSuchFileException(o.model().toString());
        }
        GGUFFile gguf = GGUFFile.open(o.model());
        Tokenizer tokenizer = new IgnoringEos(Tokenizers.fromGguf(gguf));
        try (Llama model = GGUFLlamaReader.read(gguf, tokenizer, Parallel.create(o.threads()))) {
            int context = model.maxContextLength();
            if (o.promptTokens() + o.genTokens() > context) {
                throw new UsageException("--prompt-tokens + --gen-tokens (" + (o.promptTokens() + o.genTokens())
                        + ") exceed the model's context of " + context);
            }
            int[] unit = tokenizer.encode(PROMPT_UNIT, false, false);
            int maxBatch = o.batches().stream().mapToInt(Integer::intValue).max().orElse(1);

            warmUp(o, model, unit, maxBatch);
            progress(o, "batch 1");
            BatchRun single = runBatch(model, unit, o.promptTokens(), o.genTokens(), 1, 0);
            Map<Integer, BatchRun> batched = new LinkedHashMap<>();
            for (int batch : o.batches()) {
                progress(o, "batch " + batch);
                batched.put(batch, batch == 1 ? single : runBatch(model, unit, o.promptTokens(), o.genTokens(), batch, 0));
            }
            PrefixRun prefix = null;
            if (o.prefixTokens() > 0) {
                int prefixTokens = Math.min(o.prefixTokens(), context - PREFIX_NEW_TOKENS - 2);
                progress(o, "prefix cache, " + prefixTokens + "-token prefix");
                prefix = runPrefix(model, unit, prefixTokens);
            }
            long peakRss = peakRssBytes();
            if (o.json()) {
                printJson(o, model, single, batched, prefix, peakRss);
            } else {
                printText(o, model, single, batched, prefix, peakRss);
            }
            return HerdCli.OK;
        }
    }

    /**
     * Warm-up rounds of the measured prompt length at batch 1 and short prompts at the largest batch size, so every
     * measured code path has been compiled: the numbers are then those of a server that has been up for a while, as
     * llama-bench's are after its warm-up run.
     */
    private void warmUp(Options o, Llama model, int[] unit, int maxBatch) throws InterruptedException {
        boolean auto = o.warmups() == WARMUP_AUTO;
        int rounds = auto ? MAX_AUTO_WARMUPS : o.warmups();
        int warmGen = Math.min(o.genTokens(), 16);
        JitWarmUp.run(rounds, auto, () -> {
            runBatch(model, unit, o.promptTokens(), warmGen, 1, 0);
            if (maxBatch > 1) {
                runBatch(model, unit, Math.min(o.promptTokens(), 16), warmGen, maxBatch, 0);
            }
        }, t -> progress(o, "warm-up " + t.round() + ": " + t.wallMillis() + " ms"
                + (t.compileMillis() >= 0 ? ", JIT compiling " + t.compileMillis() + " ms" : "")));
    }

    private void progress(Options o, String what) {
        err.println("bench: " + what + " ...");
    }

    /** Timings of B identical-length requests submitted together. */
    record BatchRun(int batch, double ttftMillis, double prefillTokS, double decodeTokS, double aggregateTokS,
                    double endToEndTokS) {
    }

    /**
     * Submits {@code batch} prompts of {@code promptTokens} at once (each differs from the others in its
     * second token, so no prompt shares KV with another) and waits for all. The step size lets all prompts be
     * prefilled in the first pass, so decode time is pure batched decoding, as llama-batched-bench measures.
     */
    private BatchRun runBatch(Llama model, int[] unit, int promptTokens, int genTokens, int batch, int variant)
            throws InterruptedException {
        SchedulerConfig config = schedulerConfig(model, batch, promptTokens + genTokens, false)
                .withMaxStepTokens(Math.max(256, batch * promptTokens + batch + 1));
        try (BatchScheduler scheduler = newScheduler(model, config)) {
            SamplingParameters greedy = SamplingParameters.greedy(genTokens);
            List<GenerationHandle> handles = new ArrayList<>();
            // Deltas go to a listener on the scheduler thread, as in llama-bench: no thread of this process wakes per
            // token. (A pulling consumer is woken for every token, and on 2 vCPUs that wake-up preempts a compute
            // thread: the other one then waits for it at the next parallel loop.)
            CountDownLatch finished = new CountDownLatch(batch);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            GenerationListener listener = new GenerationListener() {
                @Override
                public void onDelta(Delta delta) {
                    if (delta.isLast()) {
                        finished.countDown();
                    }
                }

                @Override
                public void onError(Throwable error) {
                    failure.compareAndSet(null, error);
                    finished.countDown();
                }
            };
            long start = System.nanoTime();
            for (int b = 0; b < batch; b++) {
                int[] prompt = JitWarmUp.prompt(model.tokenizer(), unit, promptTokens, variant + b);
                handles.add(scheduler.submit(GenerationRequest.of(prompt, greedy), listener));
            }
            finished.await();
            if (failure.get() != null) {
                throw new IllegalStateException("generation failed: " + failure.get().getMessage(), failure.get());
            }
            for (GenerationHandle handle : handles) {
                if (handle.usage().completionTokens() != genTokens) {
                    throw new IllegalStateException("generated " + handle.usage().completionTokens() + " tokens, expected "
                            + genTokens + " (finish reason " + handle.finishReason().orElse(null) + ")");
                }
            }
            long end = System.nanoTime();
            long lastFirstToken = 0;
            long lastFinish = 0;
            for (GenerationHandle handle : handles) {
                long first = handle.timeToFirstTokenNanos();
                lastFirstToken = Math.max(lastFirstToken, first);
                lastFinish = Math.max(lastFinish, first + handle.decodeNanos());
            }
            GenerationHandle one = handles.getFirst();
            double ttft = one.timeToFirstTokenNanos() / 1e6;
            double decode = (genTokens - 1) / (one.decodeNanos() / 1e9);
            double aggregate = (double) batch * (genTokens - 1) / ((lastFinish - lastFirstToken) / 1e9);
            double endToEnd = (double) batch * genTokens / ((end - start) / 1e9);
            return new BatchRun(batch, ttft, promptTokens / (ttft / 1e3), decode, aggregate, endToEnd);
        }
    }

    record PrefixRun(int prefixTokens, int newTokens, double ttftWithoutMillis, double ttftWithMillis, int cachedTokens) {
        double ratio() {
            return ttftWithoutMillis / ttftWithMillis;
        }
    }

    /**
     * Time to first token for a prompt of a shared prefix plus {@value #PREFIX_NEW_TOKENS} new tokens: once
     * after another request with the same prefix ran (prefix cache on), once with the cache off.
     */
    private PrefixRun runPrefix(Llama model, int[] unit, int prefixTokens) throws InterruptedException {
        int[] prefix = JitWarmUp.prompt(model.tokenizer(), unit, prefixTokens, 0);
        int[] first = withSuffix(prefix, unit, 1);
        int[] second = withSuffix(prefix, unit, 2);
        SamplingParameters oneToken = SamplingParameters.greedy(1);
        double without;
        try (BatchScheduler scheduler = newScheduler(model, schedulerConfig(model, 2, second.length + 1, false))) {
            GenerationHandle handle = scheduler.submit(GenerationRequest.of(second, oneToken));
            handle.collect();
            without = handle.timeToFirstTokenNanos() / 1e6;
        }
        try (BatchScheduler scheduler = newScheduler(model, schedulerConfig(model, 2, second.length + 1, true))) {
            scheduler.submit(GenerationRequest.of(first, oneToken)).collect();
            GenerationHandle handle = scheduler.submit(GenerationRequest.of(second, oneToken));
            handle.collect();
            return new PrefixRun(prefixTokens, second.length - prefixTokens, without,
                    handle.timeToFirstTokenNanos() / 1e6, handle.cachedPromptTokens());
        }
    }

    /**
     * A scheduler with a KV cache of its own. A server keeps one per model; the bench makes one per run, so the cache
     * of the run before (Java arrays, unreachable once its scheduler closed) is collected first: otherwise the old
     * generation grows to hold several caches and the peak RSS counts runs that no longer exist.
     */
    private static BatchScheduler newScheduler(Llama model, SchedulerConfig config) {
        System.gc();
        return new BatchScheduler(model, config);
    }

    /** The memory bound: the model file plus the KV budget plus 400 MiB of everything else. */
    private long rssBudget(Options o) {
        return modelBytes(o) + largestKvBudget + 400L * 1024 * 1024;
    }

    private static long modelBytes(Options o) {
        try {
            return java.nio.file.Files.size(o.model());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the size of " + o.model(), e);
        }
    }

    private SchedulerConfig schedulerConfig(Llama model, int sequences, int positions, boolean prefixCaching) {
        long blocks = (long) sequences * ((positions + BLOCK_SIZE - 1) / BLOCK_SIZE) + 1;
        long budget = blocks * KvBlocks.bytesPerBlock(model.configuration(), BLOCK_SIZE);
        largestKvBudget = Math.max(largestKvBudget, budget);
        return SchedulerConfig.withBudget(budget).withMaxRunning(Math.max(1, sequences))
                .withMaxWaiting(sequences).withPrefixCaching(prefixCaching);
    }

    private static int[] withSuffix(int[] prefix, int[] unit, int variant) {
        int[] prompt = java.util.Arrays.copyOf(prefix, prefix.length + PREFIX_NEW_TOKENS);
        for (int i = 0; i < PREFIX_NEW_TOKENS; i++) {
            prompt[prefix.length + i] = unit[(i + variant) % unit.length];
        }
        prompt[prefix.length] = 3 + (variant * 7919) % 100; // the suffixes differ from their first token on
        return prompt;
    }

    /** Peak resident set (VmHWM) of this process, or -1 where /proc is not available. */
    static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private void printText(Options o, Llama model, BatchRun single, Map<Integer, BatchRun> batched, PrefixRun prefix,
                           long peakRss) {
        out.printf(Locale.ROOT, "model %s (%s), %d threads, prompt %d tokens, %d generated (greedy, EOS ignored), KV %s%n",
                o.model().getFileName(), model.name(), o.threads(), o.promptTokens(), o.genTokens(), model.kvCachePrecision());
        out.printf(Locale.ROOT, "prefill      %10.1f tok/s%n", single.prefillTokS());
        out.printf(Locale.ROOT, "decode       %10.1f tok/s%n", single.decodeTokS());
        out.printf(Locale.ROOT, "ttft         %10.1f ms%n", single.ttftMillis());
        for (BatchRun run : batched.values()) {
            out.printf(Locale.ROOT, "batch %-4d   %10.1f tok/s aggregate decode (%.1f tok/s end to end, ttft %.1f ms)%n",
                    run.batch(), run.aggregateTokS(), run.endToEndTokS(), run.ttftMillis());
        }
        if (prefix != null) {
            out.printf(Locale.ROOT, "prefix cache %d-token shared prefix + %d new tokens: ttft %.1f ms without, %.1f ms with"
                            + " (%d tokens from the cache), %.1fx%n", prefix.prefixTokens(), prefix.newTokens(),
                    prefix.ttftWithoutMillis(), prefix.ttftWithMillis(), prefix.cachedTokens(), prefix.ratio());
        }
        out.printf(Locale.ROOT, "peak RSS     %10.1f MiB (budget: model file %.1f + largest KV budget %.1f + 400 MiB = %.1f MiB)%n",
                peakRss / (1024.0 * 1024.0), modelBytes(o) / (1024.0 * 1024.0), largestKvBudget / (1024.0 * 1024.0),
                rssBudget(o) / (1024.0 * 1024.0));
    }

    private void printJson(Options o, Llama model, BatchRun single, Map<Integer, BatchRun> batched, PrefixRun prefix,
                           long peakRss) {
        StringBuilder json = new StringBuilder("{");
        field(json, "model", quote(o.model().getFileName().toString()));
        field(json, "threads", Integer.toString(o.threads()));
        field(json, "prompt_tokens", Integer.toString(o.promptTokens()));
        field(json, "gen_tokens", Integer.toString(o.genTokens()));
        field(json, "kv_cache", quote(model.kvCachePrecision().name()));
        field(json, "prefill_tok_s", number(single.prefillTokS()));
        field(json, "decode_tok_s", number(single.decodeTokS()));
        field(json, "ttft_ms", number(single.ttftMillis()));
        StringBuilder aggregate = new StringBuilder("{");
        StringBuilder endToEnd = new StringBuilder("{");
        for (BatchRun run : batched.values()) {
            field(aggregate, Integer.toString(run.batch()), number(run.aggregateTokS()));
            field(endToEnd, Integer.toString(run.batch()), number(run.endToEndTokS()));
        }
        field(json, "aggregate_tok_s", aggregate.append('}').toString());
        field(json, "end_to_end_tok_s", endToEnd.append('}').toString());
        if (prefix != null) {
            StringBuilder p = new StringBuilder("{");
            field(p, "prefix_tokens", Integer.toString(prefix.prefixTokens()));
            field(p, "new_tokens", Integer.toString(prefix.newTokens()));
            field(p, "cached_tokens", Integer.toString(prefix.cachedTokens()));
            field(p, "ttft_ms_without_cache", number(prefix.ttftWithoutMillis()));
            field(p, "ttft_ms_with_cache", number(prefix.ttftWithMillis()));
            field(p, "ratio", number(prefix.ratio()));
            field(json, "prefix_cache", p.append('}').toString());
        }
        field(json, "peak_rss_bytes", Long.toString(peakRss));
        field(json, "model_bytes", Long.toString(modelBytes(o)));
        field(json, "kv_budget_bytes", Long.toString(largestKvBudget));
        field(json, "rss_budget_bytes", Long.toString(rssBudget(o)));
        out.println(json.append('}'));
    }

    private static void field(StringBuilder json, String name, String value) {
        if (json.length() > 1) {
            json.append(',');
        }
        json.append(quote(name)).append(':').append(value);
    }

    private static String number(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null";
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The model's tokenizer with no stop tokens, so every run generates exactly the tokens asked for. */
    private record IgnoringEos(Tokenizer delegate) implements Tokenizer {
        @Override
        public int vocabularySize() {
            return delegate.vocabularySize();
        }

        @Override
        public int[] encode(String text, boolean addBos, boolean parseSpecial) {
            return delegate.encode(text, addBos, parseSpecial);
        }

        @Override
        public byte[] tokenBytes(int token) {
            return delegate.tokenBytes(token);
        }

        @Override
        public String decode(int[] tokens) {
            return delegate.decode(tokens);
        }

        @Override
        public int bosToken() {
            return delegate.bosToken();
        }

        @Override
        public int eosToken() {
            return delegate.eosToken();
        }

        @Override
        public Set<Integer> stopTokens() {
            return Set.of();
        }

        @Override
        public OptionalInt specialToken(String text) {
            return delegate.specialToken(text);
        }

        @Override
        public boolean isSpecial(int token) {
            return delegate.isSpecial(token);
        }

        @Override
        public boolean addsBosByDefault() {
            return delegate.addsBosByDefault();
        }

        @Override
        public boolean addsSpacePrefix() {
            return delegate.addsSpacePrefix();
        }
    }
}
