package io.herd.engine.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ModelLoaderTest {

    private static final Path MODELS = Path.of(System.getProperty("herd.shared.dir", "../shared")).resolve("models");

    @TempDir
    Path dir;

    private static Path shared(String name) {
        Path p = MODELS.resolve(name);
        assumeTrue(Files.exists(p), "shared test data absent: " + p);
        return p;
    }

    /** llama2.c's reference: the prompt ids of "Once upon a time" and the text it generated. */
    private static int[] referencePromptIds() throws IOException {
        for (String line : Files.readAllLines(shared("reference/stories260K_t0_n64_once.ids"))) {
            if (line.startsWith("prompt_ids")) {
                return Arrays.stream(line.trim().split("\\s+")).skip(1).mapToInt(Integer::parseInt).toArray();
            }
        }
        throw new IllegalStateException("no prompt_ids");
    }

    private static String greedyText(LanguageModel model, int[] prompt, int steps) {
        try (ModelState state = model.newState(steps)) {
            float[] logits = model.prefill(state, prompt, 0);
            int[] generated = new int[steps - prompt.length];
            for (int i = 0; i < generated.length; i++) {
                generated[i] = Stories260KFidelityTest.argmax(logits);
                if (i + 1 < generated.length) {
                    logits = model.forward(state, generated[i], prompt.length + i);
                }
            }
            return model.tokenizer().decode(generated);
        }
    }

    @Test
    void loadsGgufWithItsTokenizerAndLlama2cCheckpointWithTokenBin() throws IOException {
        int[] expectedPrompt = referencePromptIds();
        String reference = Files.readString(shared("reference/stories260K_t0_n64_once.txt"));
        var options = ModelLoader.Options.defaults().withThreads(1);
        try (LanguageModel gguf = ModelLoader.load(shared("stories260K.gguf"), null, options);
             LanguageModel bin = ModelLoader.load(shared("stories260K.bin"), shared("tok512.bin"), options)) {
            for (LanguageModel model : new LanguageModel[] {gguf, bin}) {
                assertThat(model.vocabularySize()).isEqualTo(512);
                int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
                assertThat(prompt).containsExactly(expectedPrompt);
                String text = "Once upon a time" + greedyText(model, prompt, 64);
                assertThat(reference.strip()).startsWith(text.strip());
            }
            assertThat(gguf.name()).isNotBlank();
            assertThat(bin.maxContextLength()).isPositive();
            assertThat(bin.chatTemplate()).isEmpty();
        }
    }

    @Test
    void clearErrorsForMissingFilesAndNonModels() throws IOException {
        assertThatThrownBy(() -> ModelLoader.load(dir.resolve("absent.gguf"), null)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("absent.gguf");
        Path junk = Files.writeString(dir.resolve("junk.bin"), "hi");
        assertThatThrownBy(() -> ModelLoader.load(junk, null)).isInstanceOf(IOException.class)
                .hasMessageContaining("junk.bin");
        Path bin = Files.copy(shared("stories260K.bin"), dir.resolve("stories260K.bin"));
        assertThatThrownBy(() -> ModelLoader.load(bin, null)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("tokenizer.bin");
        assertThatThrownBy(() -> ModelLoader.load(bin, shared("vocab/ggml-vocab-llama-spm.gguf")))
                .isInstanceOf(IOException.class).hasMessageContaining("32000 tokens").hasMessageContaining("512");
        byte[] truncated = Arrays.copyOf(Files.readAllBytes(bin), 5000);
        Path cut = Files.write(dir.resolve("cut.bin"), truncated);
        assertThatThrownBy(() -> ModelLoader.load(cut, shared("tok512.bin"))).isInstanceOf(IOException.class)
                .hasMessageContaining("cut.bin").hasMessageContaining("truncated");
    }
}
