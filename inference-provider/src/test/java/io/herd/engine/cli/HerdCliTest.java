package io.herd.engine.cli;

import io.herd.engine.generate.FakeTokenizer;
import io.herd.engine.generate.ScriptedModel;
import io.herd.engine.model.LanguageModel;
import io.herd.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HerdCliTest {

    private static final List<String> VOCABULARY = List.of("<unk>", "<s>", "</s>", "[INST]", "[/INST]", " ", "hi",
            "Hel", "lo", "<<SYS>>", "<</SYS>>", "\n", "be", "nice", "x");

    private final FakeTokenizer tokenizer = new FakeTokenizer(VOCABULARY, Set.of("<unk>", "<s>", "</s>"), "<s>", "</s>", Set.of("</s>"));
    private final List<ScriptedModel> opened = new ArrayList<>();
    private final List<Integer> threadsAsked = new ArrayList<>();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private int[] script = {7, 8, 2};

    private final EngineLoader loader = new EngineLoader() {
        @Override
        public LanguageModel loadModel(Path model, Path tokenizerPath, int threads) throws IOException {
            if (model.toString().equals("missing.gguf")) {
                throw new NoSuchFileException(model.toString());
            }
            threadsAsked.add(threads);
            ScriptedModel scripted = new ScriptedModel(tokenizer, 64, script);
            opened.add(scripted);
            return scripted;
        }

        @Override
        public Tokenizer loadTokenizer(Path path) {
            return tokenizer;
        }
    };

    private int run(String stdin, String... args) {
        HerdCli cli = new HerdCli(loader, new BufferedReader(new StringReader(stdin)),
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        return cli.run(args);
    }

    private String out() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    @Test
    void generatePrintsPromptThenCompletionAndSpeedOnStderr() {
        script = new int[]{12, 13, 2};
        int status = run("", "generate", "--model", "m.gguf", "--prompt", "hi ", "--temperature", "0", "--threads", "3");
        assertThat(status).isEqualTo(0);
        assertThat(out()).isEqualTo("hi benice\n");
        assertThat(err()).contains("tok/s").contains("finish: stop");
        assertThat(threadsAsked).containsExactly(3);
        assertThat(opened.getFirst().prefills.getFirst()).containsExactly(1, 6, 5);
    }

    @Test
    void generateHonoursMaxTokensAndStop() {
        script = new int[]{14};
        assertThat(run("", "generate", "--model", "m", "--prompt", "hi", "--max-tokens", "4", "--temperature", "0")).isZero();
        assertThat(out()).isEqualTo("hixxxx\n");
        stdout.reset();
        assertThat(run("", "generate", "--model", "m", "--prompt", "hi", "--max-tokens", "9", "--temperature", "0",
                "--stop", "yy", "--stop=xxx")).isZero();
        assertThat(out()).isEqualTo("hi\n");
    }

    @Test
    void tokenizePrintsIdsOnOneLine() {
        assertThat(run("", "tokenize", "--tokenizer", "tok.bin", "--text", "hi behi")).isZero();
        assertThat(out()).isEqualTo("1 6 5 12 6\n");
        stdout.reset();
        assertThat(run("", "tokenize", "--model", "m.gguf", "--no-bos", "--text", "hi")).isZero();
        assertThat(out()).isEqualTo("6\n");
    }

    @Test
    void chatKeepsTheConversation() {
        int status = run("hi\n\nhi\n", "chat", "--model", "m.gguf", "--system", "be nice", "--temperature", "0");
        assertThat(status).isZero();
        assertThat(out()).isEqualTo("Hello\nHello\n");
        assertThat(opened).hasSize(1);
        List<int[]> prompts = opened.getFirst().prefills;
        assertThat(prompts).hasSize(2);
        assertThat(tokenizer.decode(prompts.get(0))).isEqualTo("<s>[INST] <<SYS>>\nbe nice\n<</SYS>>\n\nhi [/INST]");
        assertThat(tokenizer.decode(prompts.get(1)))
                .isEqualTo("<s>[INST] <<SYS>>\nbe nice\n<</SYS>>\n\nhi [/INST] Hello </s><s>[INST] hi [/INST]");
    }

    @Test
    void wrongCommandLinesExitWithTwoAndSayWhy() {
        assertUsage(new String[]{}, "usage: herd");
        assertUsage(new String[]{"serve"}, "unknown command 'serve'");
        assertUsage(new String[]{"generate", "--model", "m"}, "'generate' needs --prompt");
        assertUsage(new String[]{"generate", "--prompt", "p"}, "'generate' needs --model");
        assertUsage(new String[]{"generate", "--model", "m", "--prompt", "p", "--temperature", "hot"}, "--temperature must be a number, was 'hot'");
        assertUsage(new String[]{"generate", "--model", "m", "--prompt", "p", "--top-p", "2"}, "--top-p must be in (0, 1], was 2.0");
        assertUsage(new String[]{"generate", "--model", "m", "--prompt", "p", "--max-tokens", "0"}, "--max-tokens must be at least 1");
        assertUsage(new String[]{"generate", "--model", "m", "--prompt", "p", "--threads", "-1"}, "--threads must be 0 or more");
        assertUsage(new String[]{"generate", "--model", "m", "--prompt", "p", "--colour"}, "unknown option --colour");
        assertUsage(new String[]{"generate", "--model", "m", "--prompt"}, "--prompt needs a value");
        assertUsage(new String[]{"generate", "--model", "m", "--prompt", "p", "extra"}, "unexpected argument 'extra'");
        assertUsage(new String[]{"generate", "--model", "m", "--model", "n", "--prompt", "p"}, "--model is given more than once");
        assertUsage(new String[]{"tokenize", "--model", "m", "--tokenizer", "t", "--text", "x"}, "exactly one of --model or --tokenizer");
        assertUsage(new String[]{"tokenize", "--text", "x"}, "exactly one of --model or --tokenizer");
        assertUsage(new String[]{"chat", "--model", "m", "--chat-format", "chatml"}, "unknown chat format 'chatml'");
        assertThat(opened).as("no model is opened for a wrong command line").isEmpty();
    }

    private void assertUsage(String[] args, String message) {
        stderr.reset();
        assertThat(run("", args)).as(String.join(" ", args)).isEqualTo(2);
        assertThat(err()).contains(message);
    }

    @Test
    void missingModelFileExitsWithOne() {
        assertThat(run("", "generate", "--model", "missing.gguf", "--prompt", "p")).isEqualTo(1);
        assertThat(err()).contains("file not found: missing.gguf");
    }

    @Test
    void promptBeyondTheContextIsReportedWithItsNumbers() {
        assertThat(run("", "generate", "--model", "m", "--prompt", "hihihi", "--context", "2")).isEqualTo(1);
        assertThat(err()).contains("the prompt has 4 tokens but the context holds at most 2");
        assertThat(opened.getFirst().prefillCalls).isZero();
    }

    @Test
    void helpGoesToStdout() {
        assertThat(run("", "--help")).isZero();
        assertThat(out()).contains("generate --model PATH").contains("tokenize").contains("chat");
    }
}
