package io.herd.engine.model;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.llama2c.Llama2cCheckpoint;
import io.herd.engine.tensor.Parallel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * stories260K against llama2.c: greedy decoding after the reference prompt must reproduce run.c's ids
 * (reference/stories260K_t0_n64_once.ids), from the GGUF file and from the llama2.c checkpoint, and the
 * two files must give the same logits at every step.
 */
class Stories260KFidelityTest {

    private static final Path MODELS = Path.of(System.getProperty("herd.shared.dir", "../shared")).resolve("models");

    private static int[] promptIds;
    private static int[] generatedIds;

    @BeforeAll
    static void readReference() throws IOException {
        Path ids = MODELS.resolve("reference/stories260K_t0_n64_once.ids");
        assumeTrue(Files.exists(ids), "llama2.c reference absent: " + ids);
        for (String line : Files.readAllLines(ids)) {
            String[] parts = line.trim().split("\\s+");
            int[] values = Arrays.stream(parts, 1, parts.length).mapToInt(Integer::parseInt).toArray();
            switch (parts[0]) {
                case "prompt_ids" -> promptIds = values;
                case "generated_ids" -> generatedIds = values;
                default -> {
                }
            }
        }
        assertThat(promptIds).isNotEmpty();
        assertThat(generatedIds).hasSize(60);
    }

    private static Llama gguf(int threads) throws IOException {
        return gguf(threads, KvCachePrecision.F16);
    }

    private static Llama gguf(int threads, KvCachePrecision precision) throws IOException {
        Path path = MODELS.resolve("stories260K.gguf");
        assumeTrue(Files.exists(path), "model absent: " + path);
        return GGUFLlamaReader.read(GGUFFile.open(path), null, Parallel.create(threads), precision);
    }

    private static Llama llama2c(int threads) throws IOException {
        Path path = MODELS.resolve("stories260K.bin");
        assumeTrue(Files.exists(path), "model absent: " + path);
        return Llama2cCheckpoint.load(path, null, Parallel.create(threads));
    }

    /** Greedy decoding as run.c does; returns the logits of every step. */
    private static List<float[]> greedy(Llama model, List<Integer> generated) {
        List<float[]> allLogits = new ArrayList<>();
        try (State state = model.newState(promptIds.length + generatedIds.length)) {
            int token = promptIds[0];
            for (int pos = 0; pos < promptIds.length + generatedIds.length - 1; pos++) {
                float[] logits = model.forward(state, token, pos);
                allLogits.add(logits.clone());
                if (pos + 1 < promptIds.length) {
                    token = promptIds[pos + 1];
                } else {
                    token = argmax(logits);
                    generated.add(token);
                }
            }
        }
        return allLogits;
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    @ParameterizedTest
    @EnumSource(KvCachePrecision.class)
    void ggufReproducesLlama2cGreedyIds(KvCachePrecision precision) throws IOException {
        try (Llama model = gguf(1, precision)) {
            assertThat(model.configuration().kvHeads()).isEqualTo(4);
            List<Integer> generated = new ArrayList<>();
            greedy(model, generated);
            assertThat(generated).containsExactly(Arrays.stream(generatedIds).boxed().toArray(Integer[]::new));
        }
    }

    @Test
    void llama2cCheckpointReproducesLlama2cGreedyIdsWithTheSameLogitsAsTheGguf() throws IOException {
        try (Llama bin = llama2c(2); Llama gguf = gguf(2)) {
            List<Integer> fromBin = new ArrayList<>();
            List<Integer> fromGguf = new ArrayList<>();
            List<float[]> binLogits = greedy(bin, fromBin);
            List<float[]> ggufLogits = greedy(gguf, fromGguf);
            assertThat(fromBin).containsExactly(Arrays.stream(generatedIds).boxed().toArray(Integer[]::new));
            assertThat(binLogits).hasSameSizeAs(ggufLogits);
            for (int step = 0; step < binLogits.size(); step++) {
                float[] a = binLogits.get(step);
                float[] b = ggufLogits.get(step);
                for (int i = 0; i < a.length; i++) {
                    assertThat(Math.abs(a[i] - b[i])).as("step %d logit %d", step, i).isLessThanOrEqualTo(1e-5f);
                }
            }
        }
    }

    @Test
    void rejectsOutOfRangeTokensPositionsAndForeignStates() throws IOException {
        try (Llama model = gguf(1); State state = model.newState(8)) {
            assertThatThrownBy(() -> model.forward(state, 512, 0)).hasMessageContaining("token id 512");
            assertThatThrownBy(() -> model.forward(state, -1, 0)).hasMessageContaining("token id -1");
            assertThatThrownBy(() -> model.forward(state, 1, 8)).hasMessageContaining("position 8 outside the context of 8");
            assertThatThrownBy(() -> model.forward(new ModelState() {
                @Override
                public int contextLength() {
                    return 8;
                }
            }, 1, 0)).hasMessageContaining("not created by this model");
            assertThat(state.contextLength()).isEqualTo(8);
            assertThat(model.maxContextLength()).isEqualTo(2048);
        }
    }

    @Test
    void batchedPrefillGivesTheSameLogitsAsTokenByToken() throws IOException {
        int[] prompt = new int[Llama.PREFILL_BATCH + 7];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = i == 0 ? 1 : generatedIds[i % generatedIds.length];
        }
        try (Llama model = gguf(2); State batched = model.newState(64); State single = model.newState(64)) {
            float[] fromPrefill = model.prefill(batched, prompt, 3).clone();
            float[] stepwise = null;
            for (int i = 0; i < prompt.length; i++) {
                stepwise = model.forward(single, prompt[i], 3 + i);
            }
            assertThat(fromPrefill).containsExactly(stepwise);
            // both states continue identically
            assertThat(model.forward(batched, 5, 3 + prompt.length)).containsExactly(model.forward(single, 5, 3 + prompt.length));
        }
    }
}
