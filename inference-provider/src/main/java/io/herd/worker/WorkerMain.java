package io.herd.worker;

import io.herd.api.inference.InferenceProvider;
import io.herd.api.models.ModelType;
import io.herd.api.models.RegisteredModel;
import io.herd.api.providers.ProviderContext;
import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.model.GGUFLlamaReader;
import io.herd.engine.tensor.Parallel;
import io.herd.engine.tokenizer.Tokenizer;
import io.herd.engine.tokenizer.Tokenizers;
import io.herd.provider.inline.HerdInferenceProvider;
import io.herd.provider.inline.HerdInlineConfig;
import io.herd.provider.inline.ModelOpener;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Herd worker process: serves one model with the in-process engine provider ({@code inline::herd})
 * over gRPC, for gateways that reach it through {@code remote::herd-worker}.
 */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        WorkerOptions options;
        try {
            options = WorkerOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.err.println("Loading " + options.model() + " as '" + options.modelId() + "'...");
        WorkerServer server = new WorkerServer(createProvider(options), options.host(), options.port(), options.apiKeys()).start();
        System.err.println("Herd worker serving '" + options.modelId() + "' over gRPC on " + options.host() + ":" + server.port()
                + (options.apiKeys().isEmpty() ? "" : " (API key required)"));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "herd-worker-shutdown"));
        server.awaitTermination();
    }

    /** The same provider the gateway runs in-process, configured from the command line. */
    static InferenceProvider createProvider(WorkerOptions options) {
        HerdInlineConfig config = new HerdInlineConfig(options.threads(), options.context(), options.chatFormat(), null,
                null, null, null, null, null, options.warmup());
        RegisteredModel model = new RegisteredModel(options.modelId(), "worker", options.model().toString(), ModelType.LLM, Map.of());
        ProviderContext context = new ProviderContext("inference", "worker", "inline::herd", Map.of(), List.of(model));
        return new HerdInferenceProvider(context.providerId(), config, context.models(), opener(options.tokenizer()));
    }

    private static ModelOpener opener(Path tokenizer) {
        if (tokenizer == null) {
            return ModelOpener.gguf();
        }
        return (file, threads) -> {
            GGUFFile gguf = GGUFFile.open(file);
            Parallel pool = null;
            try {
                Tokenizer override;
                if (GGUFFile.isGGUF(tokenizer)) {
                    try (GGUFFile tokenizerFile = GGUFFile.open(tokenizer)) {
                        override = Tokenizers.fromGguf(tokenizerFile);
                    }
                } else {
                    override = Tokenizers.fromTiktoken(tokenizer);
                }
                pool = threads > 0 ? Parallel.create(threads) : Parallel.withAvailableProcessors();
                return GGUFLlamaReader.read(gguf, override, pool);
            } catch (RuntimeException | java.io.IOException e) {
                if (pool != null) {
                    pool.close();
                }
                gguf.close();
                throw e;
            }
        };
    }
}
