package io.herd.engine.batch;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.model.GGUFLlamaReader;
import io.herd.engine.model.Llama;
import io.herd.engine.model.State;
import io.herd.engine.tensor.Parallel;
import io.herd.engine.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** stories260K and llama2.c's greedy reference output for it, shared by the scheduler tests. */
final class Stories260K {

    static final Path MODELS = Path.of(System.getProperty("herd.shared.dir", "../shared")).resolve("models");

    private Stories260K() {
    }

    static Llama load(int threads) throws IOException {
        Path path = MODELS.resolve("stories260K.gguf");
        assumeTrue(Files.exists(path), "model absent: " + path);
        GGUFFile gguf = GGUFFile.open(path);
        return GGUFLlamaReader.read(gguf, Tokenizers.fromGguf(gguf), Parallel.create(threads));
    }

    /** {@code [0]}: prompt ids, {@code [1]}: the 60 ids run.c generated greedily after them. */
    static int[][] reference() throws IOException {
        Path ids = MODELS.resolve("reference/stories260K_t0_n64_once.ids");
        assumeTrue(Files.exists(ids), "llama2.c reference absent: " + ids);
        int[][] result = new int[2][];
        for (String line : Files.readAllLines(ids)) {
            String[] parts = line.trim().split("\\s+");
            int[] values = Arrays.stream(parts, 1, parts.length).mapToInt(Integer::parseInt).toArray();
            switch (parts[0]) {
                case "prompt_ids" -> result[0] = values;
                case "generated_ids" -> result[1] = values;
                default -> {
                }
            }
        }
        return result;
    }

    /**
     * Greedy decoding on the single-token reference path ({@link Llama#forward}, equal to llama2.c), stopping
     * after {@code n} tokens or at a stop token (included, as a generation counts it).
     */
    static int[] greedyReference(Llama model, int[] prompt, int n) {
        Set<Integer> stops = model.tokenizer().stopTokens();
        int[] out = new int[n];
        int count = 0;
        try (State state = model.newState(prompt.length + n)) {
            float[] logits = null;
            for (int i = 0; i < prompt.length; i++) {
                logits = model.forward(state, prompt[i], i);
            }
            while (count < n) {
                int token = argmax(logits);
                out[count++] = token;
                if (stops.contains(token) || count == n) {
                    break;
                }
                logits = model.forward(state, token, prompt.length + count - 1);
            }
        }
        return Arrays.copyOf(out, count);
    }

    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
