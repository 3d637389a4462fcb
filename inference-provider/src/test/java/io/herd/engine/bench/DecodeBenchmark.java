package io.herd.engine.bench;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.model.GGUFLlamaReader;
import io.herd.engine.model.Llama;
import io.herd.engine.model.State;
import io.herd.engine.tensor.Parallel;

import java.nio.file.Path;
import java.util.Locale;

/**
 * End-to-end speed on a GGUF model, measured like {@code ../shared/bench/gen.mjs}: prompt processing =
 * prompt tokens / time to the first generated token; decode = (n - 1) / time from the first to the last
 * generated token (greedy, EOS ignored). Usage:
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * io.herd.engine.bench.DecodeBenchmark MODEL.gguf [threads=1] [promptTokens=128] [generate=128] [runs=1]}
 */
public final class DecodeBenchmark {

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int promptTokens = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int generate = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        int runs = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        try (Llama llama = GGUFLlamaReader.read(GGUFFile.open(model), null, Parallel.create(threads))) {
            // "Once upon a time" in the Llama 2 vocabulary, repeated; BOS first
            int[] sentence = {9038, 2501, 263, 931, 29892};
            int[] prompt = new int[promptTokens];
            prompt[0] = 1;
            for (int i = 1; i < promptTokens; i++) {
                prompt[i] = sentence[(i - 1) % sentence.length] % llama.vocabularySize();
            }
            for (int run = 0; run < runs; run++) {
                try (State state = llama.newState(promptTokens + generate)) {
                    long start = System.nanoTime();
                    float[] logits = llama.prefill(state, prompt, 0);
                    int token = argmax(logits);
                    long first = System.nanoTime();
                    for (int i = 1; i < generate; i++) {
                        logits = llama.forward(state, token, promptTokens + i - 1);
                        token = argmax(logits);
                    }
                    long last = System.nanoTime();
                    System.out.printf(Locale.ROOT, "%s threads=%d pp%d=%.2f tok/s tg%d=%.2f tok/s%n", model.getFileName(), threads,
                            promptTokens, promptTokens / ((first - start) / 1e9), generate,
                            (generate - 1) / ((last - first) / 1e9));
                }
            }
        }
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
