package io.herd.engine.cli;

import io.herd.engine.generate.FinishReason;
import io.herd.engine.generate.GenerationRequest;
import io.herd.engine.generate.GenerationResult;
import io.herd.engine.generate.Generator;
import io.herd.engine.generate.SamplingParameters;
import io.herd.engine.model.LanguageModel;
import io.herd.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The command line and the generator on the real stories260K model against llama2.c's greedy run
 * ({@code ./run stories260K.bin -z tok512.bin -t 0 -n 64 -i "Once upon a time"}): 64 positions with a
 * 5-token prompt (BOS included) is 60 generated tokens. run.c prints the prompt, the completion and
 * a final newline, which is what {@code reference/stories260K_t0_n64_once.txt} holds.
 */
class Stories260KEndToEndTest {

    private static final Path MODELS = Path.of(System.getProperty("herd.shared.dir", "../shared")).resolve("models");
    private static final String PROMPT = "Once upon a time";
    private static final int GENERATED = 60;

    private static String referenceText;
    private static int[] referencePromptIds;
    private static int[] referenceGeneratedIds;

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    @BeforeAll
    static void readReference() throws IOException {
        Path text = MODELS.resolve("reference/stories260K_t0_n64_once.txt");
        Path ids = MODELS.resolve("reference/stories260K_t0_n64_once.ids");
        assumeTrue(Files.exists(text) && Files.exists(ids), "shared test models absent: " + MODELS.toAbsolutePath());
        referenceText = Files.readString(text, StandardCharsets.UTF_8);
        for (String line : Files.readAllLines(ids)) {
            String[] parts = line.strip().split("\\s+");
            int[] values = Arrays.stream(parts, 1, parts.length).mapToInt(Integer::parseInt).toArray();
            switch (parts[0]) {
                case "prompt_ids" -> referencePromptIds = values;
                case "generated_ids" -> referenceGeneratedIds = values;
                default -> {
                }
            }
        }
        assertThat(referenceText).startsWith(PROMPT).endsWith("\n");
        assertThat(referenceGeneratedIds).hasSize(GENERATED);
    }

    private int run(String... args) {
        return new HerdCli(new DefaultEngineLoader(), new BufferedReader(new StringReader("")),
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8)).run(args);
    }

    private String out() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    @Test
    void generateFromGgufPrintsWhatLlama2cPrints() {
        int status = run("generate", "--model", MODELS.resolve("stories260K.gguf").toString(), "--prompt", PROMPT,
                "--temperature", "0", "--max-tokens", String.valueOf(GENERATED), "--threads", "1");
        assertThat(status).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out()).isEqualTo(referenceText);
        assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("tok/s").contains("finish: length");
    }

    @Test
    void generateFromLlama2cCheckpointAndTokenizerPrintsWhatLlama2cPrints() {
        int status = run("generate", "--model", MODELS.resolve("stories260K.bin").toString(),
                "--tokenizer", MODELS.resolve("tok512.bin").toString(), "--prompt", PROMPT,
                "--temperature", "0", "--max-tokens", String.valueOf(GENERATED), "--threads", "1");
        assertThat(status).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out()).isEqualTo(referenceText);
    }

    @Test
    void tokenizeGivesLlama2cPromptIds() {
        String expected = Arrays.stream(referencePromptIds).mapToObj(Integer::toString).collect(Collectors.joining(" ")) + "\n";
        assertThat(run("tokenize", "--tokenizer", MODELS.resolve("tok512.bin").toString(), "--text", PROMPT)).isZero();
        assertThat(out()).isEqualTo(expected);
        stdout.reset();
        assertThat(run("tokenize", "--model", MODELS.resolve("stories260K.gguf").toString(), "--text", PROMPT)).isZero();
        assertThat(out()).isEqualTo(expected);
    }

    @Test
    void generatorProducesLlama2cTokenIds() throws IOException {
        try (LanguageModel model = new DefaultEngineLoader().loadModel(MODELS.resolve("stories260K.gguf"), null, 1)) {
            int[] prompt = model.tokenizer().encode(PROMPT, true, false);
            assertThat(prompt).containsExactly(referencePromptIds);
            SamplingParameters greedy = SamplingParameters.builder().temperature(0).maxTokens(GENERATED).logprobs(true).build();
            GenerationResult result = new Generator(model).complete(GenerationRequest.of(prompt, greedy));
            assertThat(result.logprobs().stream().mapToInt(l -> l.token()).toArray()).containsExactly(referenceGeneratedIds);
            assertThat(result.usage().completionTokens()).isEqualTo(GENERATED);
            assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void stopStringSpanningTokensEndsTheTextJustBeforeIt() throws IOException {
        String completion = referenceText.substring(PROMPT.length());
        // Chosen to start inside one token and end inside the next (asserted below).
        String stop = "ittle gi";
        int at = completion.indexOf(stop);
        assertThat(at).isPositive();
        try (LanguageModel model = new DefaultEngineLoader().loadModel(MODELS.resolve("stories260K.gguf"), null, 1)) {
            Tokenizer tokenizer = model.tokenizer();
            for (int token : referenceGeneratedIds) {
                assertThat(new String(tokenizer.tokenBytes(token), StandardCharsets.UTF_8)).doesNotContain(stop);
            }
            SamplingParameters sampling = SamplingParameters.builder().temperature(0).maxTokens(GENERATED).addStop(stop).build();
            GenerationResult result = new Generator(model)
                    .complete(GenerationRequest.of(tokenizer.encode(PROMPT, true, false), sampling));
            assertThat(result.text()).isEqualTo(completion.substring(0, at));
            assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
        }
    }
}
