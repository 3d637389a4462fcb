package io.herd.distribution;

import io.herd.distribution.models.ModelsCommand;
import io.herd.engine.cli.HerdCli;
import io.herd.worker.WorkerMain;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * Entry point of the single-node jar ({@code ./herd} or {@code java -jar herd.jar}): dispatches to the
 * server, the model store, the engine's command line tools, or a worker.
 */
public final class HerdMain {

    static final String USAGE = """
            usage: herd <command> [options]

              serve [--config FILE] [--model PATH|NAME|OWNER/REPO/FILE.gguf] [--port N] [--grpc-port N] [--host ADDR]
                    run the API server (REST on 8321, gRPC on 50051); with no model and an empty cache,
                    pulls %s first
              models pull OWNER/REPO/FILE.gguf [--revision REV] [--sha256 HEX]
              models list
              models rm NAME
                    manage the model cache (%s; HERD_HOME moves it, HF_ENDPOINT/HF_TOKEN reach the hub)
              generate | chat | tokenize ...
                    run the engine directly (herd generate --help); --model may name a cached model
              worker --model PATH [--port N] [--threads N] ...
                    serve one model over gRPC for a gateway's remote::herd-worker provider
              bench
                    not available yet
            """;

    private HerdMain() {
    }

    public static void main(String[] args) throws Exception {
        HerdHome home = HerdHome.fromEnvironment();
        if (args.length == 0 || Arrays.asList("-h", "--help", "help").contains(args[0])) {
            PrintStream out = args.length == 0 ? System.err : System.out;
            out.print(USAGE.formatted(io.herd.distribution.models.ModelReference.DEFAULT_CHAT_MODEL, home.models()));
            System.exit(args.length == 0 ? 2 : 0);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "serve" -> {
                try {
                    new ServeCommand(home, System.getenv(), System.err).run(rest);
                } catch (IllegalArgumentException e) {
                    System.err.println("herd: " + e.getMessage());
                    System.exit(2);
                } catch (io.herd.distribution.models.ModelDownloadException e) {
                    System.err.println("herd: " + e.getMessage());
                    System.exit(1);
                }
            }
            case "models" -> System.exit(new ModelsCommand(home, System.getenv(), System.out, System.err).run(rest));
            case "generate", "chat", "tokenize" -> HerdCli.main(withCachedModel(home, args));
            case "worker" -> WorkerMain.main(withCachedModel(home, rest));
            case "bench" -> {
                System.err.println("herd: 'bench' is not available yet; the engine's JMH benchmarks are in inference-provider");
                System.exit(2);
            }
            default -> {
                System.err.println("herd: unknown command '" + args[0] + "'; run 'herd --help'");
                System.exit(2);
            }
        }
    }

    /** Lets {@code --model} name a cached model (id or file name) instead of a path. */
    static String[] withCachedModel(HerdHome home, String[] args) {
        String[] out = args.clone();
        for (int i = 0; i + 1 < out.length; i++) {
            if (out[i].equals("--model") && !java.nio.file.Files.exists(java.nio.file.Path.of(out[i + 1]))) {
                int at = i + 1;
                new io.herd.distribution.models.ModelCache(home.models()).find(out[at])
                        .ifPresent(m -> out[at] = m.path().toString());
            }
        }
        return out;
    }
}
