package io.herd.engine.cli;

import io.herd.engine.cli.BenchCommand.Options;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The bench command's options and one short real run (stories260K) of its JSON output. */
class BenchCommandTest {

    private static final Path MODEL = Path.of(System.getProperty("herd.shared.dir", "../shared"))
            .resolve("models/stories260K.gguf");

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private int run(String... args) {
        return new HerdCli(new DefaultEngineLoader(), new BufferedReader(new StringReader("")),
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8))
                .run(args);
    }

    @Test
    void defaultsFollowTheSharedBenchMethod() throws UsageException {
        Options o = BenchCommand.parse(List.of("--model", "m.gguf"));
        assertThat(o.promptTokens()).isEqualTo(128);
        assertThat(o.genTokens()).isEqualTo(128);
        assertThat(o.batches()).containsExactly(1);
        assertThat(o.prefixTokens()).isEqualTo(1000);
        assertThat(o.json()).isFalse();
        assertThat(o.warmups()).isEqualTo(BenchCommand.WARMUP_AUTO);
        assertThat(BenchCommand.parse(List.of("--model", "m.gguf", "--warmup", "3")).warmups()).isEqualTo(3);
        assertThat(BenchCommand.parse(List.of("--model", "m.gguf", "--batch", "1, 8,16", "--json")).batches())
                .containsExactly(1, 8, 16);
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption() {
        assertThat(run("bench")).isEqualTo(HerdCli.USAGE);
        assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("'bench' needs --model");
        assertThatThrownBy(() -> BenchCommand.parse(List.of("--model", "m", "--batch", "1,x")))
                .hasMessageContaining("--batch").hasMessageContaining("'x'");
        assertThatThrownBy(() -> BenchCommand.parse(List.of("--model", "m", "--gen-tokens", "1")))
                .hasMessageContaining("--gen-tokens must be at least 2");
        assertThatThrownBy(() -> BenchCommand.parse(List.of("--model", "m", "--threads", "0")))
                .hasMessageContaining("--threads must be at least 1");
        assertThatThrownBy(() -> BenchCommand.parse(List.of("--model", "m", "--warmup", "some")))
                .hasMessageContaining("--warmup must be 'auto' or a number of rounds, was 'some'");
        assertThatThrownBy(() -> BenchCommand.parse(List.of("--model", "m", "--warmup", "-2")))
                .hasMessageContaining("--warmup must be 'auto' or 0 or more rounds");
    }

    @Test
    void missingModelFileFails() {
        assertThat(run("bench", "--model", "no-such-model.gguf")).isEqualTo(HerdCli.FAILED);
        assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("no-such-model.gguf");
    }

    @Test
    void shortRunOnStories260KPrintsOneJsonObject() throws IOException {
        assumeTrue(Files.exists(MODEL), "model absent: " + MODEL);
        int status = run("bench", "--model", MODEL.toString(), "--threads", "1", "--prompt-tokens", "16",
                "--gen-tokens", "4", "--batch", "1,2", "--prefix-tokens", "64", "--warmup", "0", "--json");
        assertThat(status).as(stderr.toString(StandardCharsets.UTF_8)).isEqualTo(HerdCli.OK);
        String json = stdout.toString(StandardCharsets.UTF_8).strip();
        assertThat(json).startsWith("{").endsWith("}").doesNotContain("\n");
        for (String key : List.of("prefill_tok_s", "decode_tok_s", "ttft_ms")) {
            assertThat(number(json, key)).as(key).isPositive();
        }
        assertThat(json).containsPattern("\"aggregate_tok_s\":\\{\"1\":[0-9.]+,\"2\":[0-9.]+}");
        assertThat(number(json, "peak_rss_bytes")).isGreaterThan(1 << 20);
        // 64-token prefix in 16-position blocks: the 4 full blocks come from the cache.
        assertThat(number(json, "cached_tokens")).isEqualTo(64);
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([0-9.eE+-]+)").matcher(json);
        assertThat(m.find()).as("key " + key + " in " + json).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
