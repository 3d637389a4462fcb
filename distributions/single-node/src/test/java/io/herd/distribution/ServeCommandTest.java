package io.herd.distribution;

import io.herd.distribution.models.ModelCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServeCommandTest {

    @TempDir
    Path home;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    private ServeCommand serve(Map<String, String> env) {
        return new ServeCommand(new HerdHome(home), env, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @Test
    void aModelFileIsServedUnderItsNameWithTheBuiltInConfig() throws Exception {
        Path model = Files.writeString(home.resolve("tiny-llama.Q4.gguf"), "GGUF");
        var plan = serve(Map.of()).plan(new String[] {"--model", model.toString(), "--port", "9000", "--grpc-port", "9001"});

        assertThat(plan.springArguments()).contains("--HERD_MODEL=" + model.toAbsolutePath(), "--HERD_MODEL_ID=tiny-llama.Q4",
                "--HERD_PORT=9000", "--HERD_GRPC_PORT=9001", "--HERD_HOME=" + home,
                "--herd.config=" + home.resolve("config/single-node.yaml"));
        assertThat(home.resolve("config/single-node.yaml")).content().contains("provider_type: inline::herd");
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("Serving model 'tiny-llama.Q4'");
    }

    @Test
    void withoutAModelTheFirstCachedModelIsServed() throws Exception {
        Path cached = home.resolve("models/owner/repo/small.gguf");
        Files.createDirectories(cached.getParent());
        Files.writeString(cached, "GGUF");
        assertThat(new ModelCache(home.resolve("models")).list()).hasSize(1);

        var plan = serve(Map.of()).plan(new String[0]);
        assertThat(plan.springArguments()).contains("--HERD_MODEL=" + cached, "--HERD_MODEL_ID=small");

        var byName = serve(Map.of()).plan(new String[] {"--model", "small"});
        assertThat(byName.springArguments()).contains("--HERD_MODEL=" + cached);
    }

    @Test
    void anOwnConfigNeedsNoModel() throws Exception {
        Path config = Files.writeString(home.resolve("my.yaml"), "version: 2\n");
        var plan = serve(Map.of()).plan(new String[] {"--config", config.toString()});
        assertThat(plan.springArguments()).contains("--herd.config=" + config.toAbsolutePath())
                .noneMatch(a -> a.startsWith("--HERD_MODEL="));
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> serve(Map.of()).plan(new String[] {"--model", "nothing-like-this"}))
                .hasMessageContaining("--model nothing-like-this: not a file, not a cached model");
        assertThatThrownBy(() -> serve(Map.of()).plan(new String[] {"--port", "http"}))
                .hasMessageContaining("--port must be a port number");
        assertThatThrownBy(() -> serve(Map.of()).plan(new String[] {"--models", "x"}))
                .hasMessageContaining("unknown option '--models'");
    }
}
