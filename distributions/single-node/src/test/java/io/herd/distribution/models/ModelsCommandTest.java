package io.herd.distribution.models;

import io.herd.distribution.HerdHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ModelsCommandTest {

    @TempDir
    Path home;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return new ModelsCommand(new HerdHome(home), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    @Test
    void pullListAndRemoveThroughTheCommandLine() throws Exception {
        byte[] content = "GGUF and some weights".repeat(1000).getBytes(StandardCharsets.UTF_8);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        try (FakeHub hub = new FakeHub("acme/tiny-GGUF", "main", "tiny-Q8_0.gguf", content, sha)) {
            Map<String, String> env = Map.of("HF_ENDPOINT", hub.endpoint().toString());

            assertThat(run(env, "pull", "acme/tiny-GGUF/tiny-Q8_0.gguf")).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("tiny-Q8_0");
            assertThat(home.resolve("models/acme/tiny-GGUF/tiny-Q8_0.gguf")).hasBinaryContent(content);

            out.reset();
            assertThat(run(env, "list")).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("tiny-Q8_0").contains("20.5 KiB")
                    .contains("acme/tiny-GGUF/tiny-Q8_0.gguf");

            assertThat(run(env, "pull", "acme/tiny-GGUF", "tiny-Q8_0.gguf", "--sha256", "nothex")).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("--sha256 must be 64 hex digits");

            out.reset();
            assertThat(run(env, "rm", "tiny-Q8_0")).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("Removed acme/tiny-GGUF/tiny-Q8_0.gguf");
            assertThat(run(env, "rm", "tiny-Q8_0")).isEqualTo(2);
        }
    }

    @Test
    void aMissingFileOnTheHubIsAFailureNotAUsageError() throws Exception {
        try (FakeHub hub = new FakeHub("acme/tiny-GGUF", "main", "tiny.gguf", new byte[] {1}, "0".repeat(64))) {
            assertThat(run(Map.of("HF_ENDPOINT", hub.endpoint().toString()), "pull", "acme/tiny-GGUF/other.gguf")).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("not found: acme/tiny-GGUF/other.gguf");
        }
    }
}
