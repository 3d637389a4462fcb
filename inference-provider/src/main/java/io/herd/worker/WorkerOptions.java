package io.herd.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Command line of a worker: {@code --model PATH --port N --threads N [--tokenizer PATH] [--context N]
 * [--host ADDR] [--model-id ID] [--chat-format NAME] [--warmup on|off]}. The API key callers must send comes from
 * {@code HERD_WORKER_API_KEY} (kept out of the process list).
 */
public record WorkerOptions(Path model, int port, int threads, Path tokenizer, int context, String host, String modelId,
                            String chatFormat, List<String> apiKeys, boolean warmup) {

    public static final String USAGE = """
            usage: herd-worker --model PATH [--port N] [--threads N] [--tokenizer PATH] [--context N]
                               [--host ADDR] [--model-id ID] [--chat-format NAME] [--warmup on|off]
              --model PATH       GGUF model to serve
              --port N           gRPC port (default 50052)
              --threads N        threads of the forward pass (default 0: every processor)
              --tokenizer PATH   tokenizer to use instead of the one in the GGUF file (GGUF or tokenizer.model)
              --context N        context length per request (default 0: the model's)
              --host ADDR        address to listen on (default 0.0.0.0)
              --model-id ID      id the model is served as (default: file name without extension)
              --chat-format NAME force a chat format (default: detected)
              --warmup on|off    after loading, warm the JIT with short generations in the background (default on)
            environment: HERD_WORKER_API_KEY  key callers must send as 'authorization: Bearer <key>'
            """;

    public static WorkerOptions parse(String[] args, Map<String, String> env) {
        Path model = null;
        Path tokenizer = null;
        int port = 50052;
        int threads = 0;
        int context = 0;
        String host = "0.0.0.0";
        String modelId = null;
        String chatFormat = null;
        boolean warmup = true;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("-h") || option.equals("--help")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--model" -> model = Path.of(value);
                case "--tokenizer" -> tokenizer = Path.of(value);
                case "--port" -> port = number(option, value, 0, 65535);
                case "--threads" -> threads = number(option, value, 0, 4096);
                case "--context" -> context = number(option, value, 0, Integer.MAX_VALUE);
                case "--host" -> host = value;
                case "--model-id" -> modelId = value;
                case "--chat-format" -> chatFormat = value;
                case "--warmup" -> warmup = switch (value) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("--warmup takes on or off, not '" + value + "'");
                };
                default -> throw new IllegalArgumentException("unknown option '" + option + "'\n" + USAGE);
            }
        }
        if (model == null) {
            throw new IllegalArgumentException("--model is required\n" + USAGE);
        }
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("--model " + model + ": no such file");
        }
        if (tokenizer != null && !Files.isRegularFile(tokenizer)) {
            throw new IllegalArgumentException("--tokenizer " + tokenizer + ": no such file");
        }
        if (modelId == null) {
            String name = model.getFileName().toString();
            modelId = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        }
        String key = env.get("HERD_WORKER_API_KEY");
        return new WorkerOptions(model, port, threads, tokenizer, context, host, modelId, chatFormat,
                key == null || key.isBlank() ? List.of() : List.of(key.strip()), warmup);
    }

    private static int number(String option, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", got " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, got '" + value + "'");
        }
    }
}
