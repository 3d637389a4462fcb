package io.herd.engine.cli;

import io.herd.engine.chat.AssistantReply;
import io.herd.engine.chat.ChatFormat;
import io.herd.engine.chat.ChatFormatException;
import io.herd.engine.chat.ChatFormats;
import io.herd.engine.chat.ChatMessage;
import io.herd.engine.generate.ContextLengthExceededException;
import io.herd.engine.generate.Delta;
import io.herd.engine.generate.Generation;
import io.herd.engine.generate.GenerationRequest;
import io.herd.engine.generate.Generator;
import io.herd.engine.generate.InvalidSamplingParameterException;
import io.herd.engine.generate.SamplingParameters;
import io.herd.engine.model.LanguageModel;
import io.herd.engine.tokenizer.Tokenizer;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The engine's command line: {@code generate} (text completion), {@code tokenize} and {@code chat}.
 * Generated text goes to stdout as it is produced; speed and diagnostics go to stderr.
 * Exit codes: 0 success, 1 failure while running (e.g. an unreadable model), 2 a wrong command line.
 */
public final class HerdCli {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT = """
            usage: herd <command> [options]

              generate --model PATH [--tokenizer PATH] --prompt TEXT [sampling options]
                  prints the prompt followed by its completion
              tokenize (--model PATH | --tokenizer PATH) [--no-bos] [--parse-special] --text TEXT
                  prints the token ids on one line
              chat --model PATH [--tokenizer PATH] [--system TEXT] [--chat-format NAME] [sampling options]
                  reads user messages from stdin, one per line, and answers them
              bench --model PATH.gguf [--threads N] [--prompt-tokens 128] [--gen-tokens 128] [--batch 1,8]
                    [--prefix-tokens 1000] [--warmup auto|N] [--json]
                  prefill/decode tok/s, batched aggregate tok/s, time to first token, peak RSS, and time to
                  first token after a shared prefix with and without the prefix cache

            sampling options:
              --max-tokens N        tokens to generate (generate: 256, chat: 512)
              --temperature T       0 is greedy (default 1.0)
              --top-p P             nucleus sampling (default 0.9)
              --top-k K             keep the K most likely tokens (default 0: off)
              --min-p P             drop tokens below P times the most likely (default 0: off)
              --repeat-penalty R    llama.cpp repetition penalty (default 1: off)
              --seed S              random seed (default: random)
              --stop TEXT           stop before TEXT (repeatable)
              --context N           context length (default: the model's)
              --threads N           threads for the forward pass (default: the engine's choice)
            chat formats: %s
            """.formatted(String.join(", ", ChatFormats.NAMES));

    private static final Set<String> SAMPLING_OPTIONS = Set.of("--max-tokens", "--temperature", "--top-p", "--top-k",
            "--min-p", "--repeat-penalty", "--seed", "--stop", "--context", "--threads");

    private final EngineLoader loader;
    private final BufferedReader in;
    private final PrintStream out;
    private final PrintStream err;

    public HerdCli(EngineLoader loader, BufferedReader in, PrintStream out, PrintStream err) {
        this.loader = loader;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int status = new HerdCli(new DefaultEngineLoader(), in, out, err).run(args);
        out.flush();
        System.exit(status);
    }

    public int run(String... args) {
        if (args.length == 0 || Set.of("-h", "--help", "help").contains(args[0])) {
            (args.length == 0 ? err : out).print(USAGE_TEXT);
            return args.length == 0 ? USAGE : OK;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            return switch (args[0]) {
                case "generate" -> generate(rest);
                case "tokenize" -> tokenize(rest);
                case "chat" -> chat(rest);
                case "bench" -> bench(rest);
                default -> throw new UsageException("unknown command '" + args[0] + "'; commands: generate, tokenize, chat, bench");
            };
        } catch (UsageException | InvalidSamplingParameterException | ChatFormatException e) {
            err.println("herd: " + e.getMessage());
            err.println("run 'herd --help' for usage");
            return USAGE;
        } catch (ContextLengthExceededException e) {
            err.println("herd: " + e.getMessage());
            return FAILED;
        } catch (NoSuchFileException e) {
            err.println("herd: file not found: " + e.getFile());
            return FAILED;
        } catch (IOException | UncheckedIOException e) {
            err.println("herd: " + e.getMessage());
            return FAILED;
        } catch (RuntimeException e) {
            err.println("herd: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return FAILED;
        }
    }

    private int bench(List<String> args) throws UsageException, IOException {
        BenchCommand.Options options = BenchCommand.parse(args);
        try {
            return new BenchCommand(out, err).run(options);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("herd: bench interrupted");
            return FAILED;
        }
    }

    private int generate(List<String> args) throws UsageException, IOException {
        CommandLine line = CommandLine.parse("generate", args, union(SAMPLING_OPTIONS, "--model", "--tokenizer", "--prompt"),
                Set.of("--stop"), Set.of());
        Path modelPath = line.path("--model").orElseThrow(() -> new UsageException("'generate' needs --model"));
        String prompt = line.required("--prompt");
        SamplingParameters sampling = sampling(line, 256);
        int context = line.integer("--context").orElse(0);
        checkPositive("--context", context, true);
        try (LanguageModel model = loader.loadModel(modelPath, line.path("--tokenizer").orElse(null), threads(line))) {
            Tokenizer tokenizer = model.tokenizer();
            int[] promptTokens = tokenizer.encode(prompt, tokenizer.addsBosByDefault(), false);
            if (promptTokens.length == 0) {
                throw new UsageException("--prompt is empty and this vocabulary adds no BOS token: give some text to continue");
            }
            GenerationRequest request = GenerationRequest.of(promptTokens, sampling).withContextLength(context);
            try (Generation generation = new Generator(model).start(request)) {
                out.print(prompt);
                out.flush();
                long start = System.nanoTime();
                Optional<Delta> delta;
                while ((delta = generation.next()).isPresent()) {
                    out.print(delta.get().text());
                    out.flush();
                }
                out.println();
                out.flush();
                reportSpeed(generation, System.nanoTime() - start);
            }
        }
        return OK;
    }

    private void reportSpeed(Generation generation, long totalNanos) {
        var usage = generation.usage();
        double prefillSeconds = generation.prefillNanos() / 1e9;
        double decodeSeconds = Math.max(1e-9, (totalNanos - generation.prefillNanos()) / 1e9);
        int decoded = Math.max(0, usage.completionTokens() - 1); // the first token comes from the prefill's logits
        err.printf(Locale.ROOT, "prompt: %d tokens in %.3f s (%.1f tok/s); generated %d tokens, %.1f tok/s; finish: %s%n",
                usage.promptTokens(), prefillSeconds, usage.promptTokens() / Math.max(1e-9, prefillSeconds),
                usage.completionTokens(), decoded / decodeSeconds,
                generation.finishReason().map(r -> r.apiName()).orElse("?"));
    }

    private int tokenize(List<String> args) throws UsageException, IOException {
        CommandLine line = CommandLine.parse("tokenize", args, Set.of("--model", "--tokenizer", "--text", "--threads"),
                Set.of(), Set.of("--no-bos", "--parse-special"));
        if (line.has("--model") == line.has("--tokenizer")) {
            throw new UsageException("'tokenize' needs exactly one of --model or --tokenizer");
        }
        String text = line.required("--text");
        int[] ids;
        if (line.has("--model")) {
            try (LanguageModel model = loader.loadModel(line.path("--model").orElseThrow(), null, threads(line))) {
                ids = encode(model.tokenizer(), text, line);
            }
        } else {
            ids = encode(loader.loadTokenizer(line.path("--tokenizer").orElseThrow()), text, line);
        }
        out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
        return OK;
    }

    private static int[] encode(Tokenizer tokenizer, String text, CommandLine line) {
        return tokenizer.encode(text, !line.has("--no-bos") && tokenizer.addsBosByDefault(), line.has("--parse-special"));
    }

    private int chat(List<String> args) throws UsageException, IOException {
        CommandLine line = CommandLine.parse("chat", args,
                union(SAMPLING_OPTIONS, "--model", "--tokenizer", "--system", "--chat-format"), Set.of("--stop"), Set.of());
        Path modelPath = line.path("--model").orElseThrow(() -> new UsageException("'chat' needs --model"));
        SamplingParameters sampling = sampling(line, 512);
        int context = line.integer("--context").orElse(0);
        checkPositive("--context", context, true);
        Optional<ChatFormat> named = line.string("--chat-format").map(ChatFormats::byName);
        try (LanguageModel model = loader.loadModel(modelPath, line.path("--tokenizer").orElse(null), threads(line))) {
            ChatFormat format = named.orElseGet(() -> ChatFormats.forModel(model));
            Tokenizer tokenizer = model.tokenizer();
            Generator generator = new Generator(model);
            List<ChatMessage> conversation = new ArrayList<>();
            line.string("--system").ifPresent(system -> conversation.add(ChatMessage.system(system)));
            err.println("chatting with " + model.name() + " (" + format.name() + " format); one message per line, Ctrl-D to end");
            String userLine;
            while (prompt() && (userLine = in.readLine()) != null) {
                if (userLine.isBlank()) {
                    continue;
                }
                conversation.add(ChatMessage.user(userLine));
                GenerationRequest request = format.generationRequest(tokenizer, conversation, List.of(), sampling)
                        .withContextLength(context);
                StringBuilder reply = new StringBuilder();
                try (Generation generation = generator.start(request)) {
                    Optional<Delta> delta;
                    while ((delta = generation.next()).isPresent()) {
                        out.print(delta.get().text());
                        out.flush();
                        reply.append(delta.get().text());
                    }
                    out.println();
                    out.flush();
                } catch (ContextLengthExceededException e) {
                    conversation.removeLast();
                    err.println("herd: " + e.getMessage() + "; the conversation is too long to continue, start a new chat");
                    continue;
                }
                AssistantReply answer = format.parseReply(reply.toString());
                conversation.add(answer.toMessage());
            }
        }
        return OK;
    }

    private boolean prompt() {
        err.print("> ");
        err.flush();
        return true;
    }

    private static SamplingParameters sampling(CommandLine line, int defaultMaxTokens) throws UsageException {
        SamplingParameters.Builder builder = SamplingParameters.builder().temperature(1.0).topP(0.9).maxTokens(defaultMaxTokens);
        line.integer("--max-tokens").ifPresent(builder::maxTokens);
        line.number("--temperature").ifPresent(builder::temperature);
        line.number("--top-p").ifPresent(builder::topP);
        line.integer("--top-k").ifPresent(builder::topK);
        line.number("--min-p").ifPresent(builder::minP);
        line.number("--repeat-penalty").ifPresent(builder::repetitionPenalty);
        line.longValue("--seed").ifPresent(builder::seed);
        builder.stop(line.all("--stop"));
        try {
            return builder.build();
        } catch (InvalidSamplingParameterException e) {
            throw new UsageException(optionName(e.field()) + " " + e.getMessage().substring(e.field().length() + 1));
        }
    }

    private static String optionName(String field) {
        return switch (field) {
            case "maxTokens" -> "--max-tokens";
            case "topP" -> "--top-p";
            case "topK" -> "--top-k";
            case "minP" -> "--min-p";
            case "repetitionPenalty" -> "--repeat-penalty";
            default -> "--" + field;
        };
    }

    static int threads(CommandLine line) throws UsageException {
        int threads = line.integer("--threads").orElse(0);
        checkPositive("--threads", threads, true);
        return threads;
    }

    private static void checkPositive(String option, int value, boolean zeroAllowed) throws UsageException {
        if (value < 0 || (!zeroAllowed && value == 0)) {
            throw new UsageException(option + " must be " + (zeroAllowed ? "0 or more" : "positive") + ", was " + value);
        }
    }

    private static Set<String> union(Set<String> base, String... more) {
        Set<String> all = new java.util.HashSet<>(base);
        all.addAll(List.of(more));
        return all;
    }
}
