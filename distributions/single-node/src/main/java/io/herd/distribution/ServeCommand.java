package io.herd.distribution;

import io.herd.distribution.models.HuggingFaceDownloader;
import io.herd.distribution.models.ModelCache;
import io.herd.distribution.models.ModelReference;
import io.herd.gateway.HerdGatewayApplication;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code herd serve}: starts the gateway with the single-node configuration (or {@code --config FILE}),
 * serving {@code --model} in-process. Without a model it serves the first cached one, and with an empty
 * cache it pulls {@link ModelReference#DEFAULT_CHAT_MODEL}.
 */
final class ServeCommand {

    static final String BUILT_IN_CONFIG = "config/single-node.yaml";

    private final HerdHome home;
    private final Map<String, String> env;
    private final PrintStream log;

    ServeCommand(HerdHome home, Map<String, String> env, PrintStream log) {
        this.home = home;
        this.env = env;
        this.log = log;
    }

    /** What to run: Spring arguments (highest precedence, so they beat the environment). */
    record Plan(List<String> springArguments) {
    }

    ConfigurableApplicationContext run(String[] args) {
        Plan plan = plan(args);
        return SpringApplication.run(HerdGatewayApplication.class, plan.springArguments().toArray(String[]::new));
    }

    Plan plan(String[] args) {
        String config = null;
        String model = null;
        List<String> spring = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.startsWith("--") && option.contains("=")) {
                spring.add(option);
                continue;
            }
            switch (option) {
                case "--config" -> config = value(args, ++i, option);
                case "--model" -> model = value(args, ++i, option);
                case "--port" -> spring.add("--HERD_PORT=" + number(value(args, ++i, option), option));
                case "--grpc-port" -> spring.add("--HERD_GRPC_PORT=" + number(value(args, ++i, option), option));
                case "--host" -> spring.add("--HERD_HOST=" + value(args, ++i, option));
                default -> throw new IllegalArgumentException("serve: unknown option '" + option
                        + "' (serve [--config FILE] [--model PATH|NAME|OWNER/REPO/FILE.gguf] [--port N] [--grpc-port N] [--host ADDR])");
            }
        }
        spring.add("--HERD_HOME=" + home.root());
        spring.add("--herd.config=" + (config != null ? Path.of(config).toAbsolutePath() : writeBuiltInConfig()));
        Path modelFile = resolveModel(model, config != null);
        if (modelFile != null) {
            String id = ModelReference.idOf(modelFile.getFileName().toString());
            log.println("Serving model '" + id + "' from " + modelFile);
            spring.add("--HERD_MODEL=" + modelFile.toAbsolutePath());
            spring.add("--HERD_MODEL_ID=" + id);
        }
        return new Plan(spring);
    }

    /** A path, a cached model, or a hub file to pull; null when a --config file is given and no --model. */
    private Path resolveModel(String model, boolean ownConfig) {
        ModelCache cache = new ModelCache(home.models());
        if (model != null) {
            Path file = Path.of(model);
            if (Files.isRegularFile(file)) {
                return file;
            }
            var cached = cache.find(model);
            if (cached.isPresent()) {
                return cached.get().path();
            }
            if (model.endsWith(".gguf") && model.split("/").length >= 3) {
                return HuggingFaceDownloader.fromEnvironment(cache, log).pull(ModelReference.parse(model, null, null), null);
            }
            throw new IllegalArgumentException("--model " + model + ": not a file, not a cached model (herd models list), "
                    + "and not a Hugging Face file (owner/repo/file.gguf)");
        }
        if (ownConfig || env.get("HERD_MODEL") != null) {
            return null;
        }
        var cached = cache.list();
        if (!cached.isEmpty()) {
            return cached.getFirst().path();
        }
        log.println("No model given and none cached: pulling the default model " + ModelReference.DEFAULT_CHAT_MODEL
                + " (use --model to choose another)");
        return HuggingFaceDownloader.fromEnvironment(cache, log).pull(ModelReference.DEFAULT_CHAT_MODEL, null);
    }

    /** The built-in configuration, written under HERD_HOME so users can read (and copy) what runs. */
    private Path writeBuiltInConfig() {
        Path target = home.root().resolve("config").resolve("single-node.yaml");
        try (InputStream in = ServeCommand.class.getClassLoader().getResourceAsStream(BUILT_IN_CONFIG)) {
            if (in == null) {
                throw new IllegalStateException(BUILT_IN_CONFIG + " is missing from the jar");
            }
            Files.createDirectories(target.getParent());
            Files.write(target, in.readAllBytes());
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException("serve: " + option + " needs a value");
        }
        return args[i];
    }

    private static String number(String value, String option) {
        try {
            int n = Integer.parseInt(value);
            if (n < 0 || n > 65535) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("serve: " + option + " must be a port number, got '" + value + "'");
        }
    }
}
