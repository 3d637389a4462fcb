package io.herd.engine.model;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.tensor.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End-to-end check of each weight type against llama.cpp: greedy ids for 32 tokens after the gen.mjs
 * default prompt. References ({@code llamacpp/<model>.json}) are the unmodified {@code --json} output of
 * {@code node ../shared/bench/gen.mjs --model M --n 32 --threads 1 --json} (llama.cpp through node-llama-cpp
 * 3.21.1). The models are random-weight GGUFs, too large for the repository: bench-* come from
 * {@code ../shared/bench/setup.sh}, tiny-* from {@code make_random_gguf.py --dim 256 --hidden-dim 768
 * --n-layers 2 --n-heads 4 --n-kv-heads 2 --ctx 256 --type T --name tiny-T} (F32, F16, Q8_0, Q4_0, Q4_K) and
 * {@code src/test/python/ggml_fixtures.py requant tiny-F32.gguf tiny-T.gguf T} (BF16, Q5_K, Q6_K), all in
 * {@code ${HERD_PEER_DIR:-~/.cache/herd-peer}/models}. Tests skip when a model is absent.
 *
 * <p>Exact agreement is not guaranteed: llama.cpp sums in a different order (and its SIMD exp/SiLU are
 * approximations), and random-weight models often have near-ties between the top logits; deep random
 * models also amplify tiny differences layer by layer. So the ids must agree until the first step where
 * llama.cpp's choice is within a near-tie of ours by our own logits ({@link #NEAR_TIE}, relative to the top
 * logit); from there on the sequences legitimately differ. A minimum number of agreeing tokens keeps the
 * check meaningful. A real defect (wrong layout, RoPE, attention) diverges at once with a clear margin.
 */
class LlamaCppGreedyTest {

    private static Path modelDir() {
        String peer = System.getenv("HERD_PEER_DIR");
        Path work = peer != null ? Path.of(peer) : Path.of(System.getProperty("user.home"), ".cache", "herd-peer");
        return work.resolve("models");
    }

    private static final float NEAR_TIE = 0.005f;

    @ParameterizedTest(name = "{0}: {1} tokens, at least {2} agreeing")
    @CsvSource({
            "tiny-F32, 32, 32", "tiny-F16, 32, 32", "tiny-BF16, 32, 16", "tiny-Q8_0, 32, 32", "tiny-Q4_0, 32, 8",
            "tiny-Q4_K, 32, 32", "tiny-Q5_K, 32, 8", "tiny-Q6_K, 32, 32", "bench-110m-F32, 32, 32", "bench-110m-Q8_0, 32, 32",
            "bench-1b-Q4_0, 5, 5", "bench-1b-Q8_0, 5, 5"})
    void greedyIdsMatchLlamaCpp(String model, int tokens, int minimumAgreement) throws IOException {
        assumeTrue(model.startsWith("tiny-") || Boolean.getBoolean("herd.heavyTests"),
                "bench models (100 MB - 1.2 GB) run only with -Dherd.heavyTests=true");
        Path path = modelDir().resolve(model + ".gguf");
        assumeTrue(Files.exists(path), "random bench model absent (see class comment to create it): " + path);
        JsonNode reference;
        try (InputStream in = getClass().getResourceAsStream("llamacpp/" + model + ".json")) {
            reference = JsonMapper.builder().build().readTree(in);
        }
        int[] prompt = ints(reference.get("prompt_ids"));
        int[] expected = Arrays.copyOf(ints(reference.get("generated_ids")), tokens);
        int agreeing = 0;
        try (Llama llama = GGUFLlamaReader.read(GGUFFile.open(path), null, Parallel.create(2));
             State state = llama.newState(prompt.length + tokens)) {
            float[] logits = llama.prefill(state, prompt, 0);
            for (int i = 0; i < tokens; i++) {
                int ours = Stories260KFidelityTest.argmax(logits);
                if (ours != expected[i]) {
                    float gap = logits[ours] - logits[expected[i]];
                    assertThat(gap).as("%s step %d: ours %d, llama.cpp %d; logit gap %f is no near-tie", model, i, ours,
                            expected[i], gap).isLessThanOrEqualTo(NEAR_TIE * Math.max(1f, Math.abs(logits[ours])));
                    break;
                }
                agreeing++;
                if (i + 1 < tokens) {
                    logits = llama.forward(state, ours, prompt.length + i);
                }
            }
        }
        assertThat(agreeing).as("tokens of %s agreeing with llama.cpp", model).isGreaterThanOrEqualTo(minimumAgreement);
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }
}
