package io.herd.engine.tokenizer;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.gguf.GGUFFormatException;
import io.herd.engine.gguf.GGUFTestWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Small hand-made SentencePiece vocabularies in GGUF: the expected ids follow from llama.cpp's
 * SPM rules applied by hand, and broken metadata must be reported by name.
 */
class GgufVocabularyTest {

    @TempDir
    Path dir;

    private static final int SPACE = 259, A = 260, B = 261, SPACE_A = 262, AB = 263, TOOL = 264;

    /** {@code <unk> <s> </s> <0x00>..<0xFF> ▁ a b ▁a ab <tool>}, with the given scores for ▁a and ab. */
    private GGUFTestWriter vocabulary(float spaceAScore, float abScore) {
        return vocabulary("llama", spaceAScore, abScore);
    }

    private GGUFTestWriter vocabulary(String model, float spaceAScore, float abScore) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
            scores.add(0f);
        }
        tokens.addAll(List.of("\u2581", "a", "b", "\u2581a", "ab", "<tool>"));
        types.addAll(List.of(1, 1, 1, 1, 1, 4));
        scores.addAll(List.of(-10f, -10f, -10f, spaceAScore, abScore, 0f));
        return new GGUFTestWriter()
                .putString("tokenizer.ggml.model", model)
                .putArray("tokenizer.ggml.tokens", GGUFTestWriter.STRING, tokens)
                .putArray("tokenizer.ggml.token_type", GGUFTestWriter.INT32, types)
                .putArray("tokenizer.ggml.scores", GGUFTestWriter.FLOAT32, scores);
    }

    private Tokenizer load(GGUFTestWriter writer) throws IOException {
        try (GGUFFile gguf = GGUFFile.open(writer.write(dir.resolve("vocab.gguf")))) {
            return Tokenizers.fromGguf(gguf);
        }
    }

    @Test
    void theHigherScoringMergeWins() throws IOException {
        // "ab" becomes ▁ a b; the pairs ▁a and ab compete
        assertThat(load(vocabulary(-1f, -2f)).encode("ab", false, false)).containsExactly(SPACE_A, B);
        assertThat(load(vocabulary(-2f, -1f)).encode("ab", false, false)).containsExactly(SPACE, AB);
    }

    @Test
    void userDefinedTokensAreAlwaysMatchedControlTokensOnlyWhenAsked() throws IOException {
        Tokenizer tokenizer = load(vocabulary(-1f, -2f));
        // text after a matched token gets the dummy prefix again
        assertThat(tokenizer.encode("a<tool>b", false, false)).containsExactly(SPACE_A, TOOL, SPACE, B);
        assertThat(tokenizer.isSpecial(TOOL)).isFalse();
        assertThat(tokenizer.encode("<s>a", false, true)).containsExactly(1, SPACE_A);
        assertThat(tokenizer.encode("<s>a", false, false)).doesNotContain(1)
                .startsWith(SPACE, 3 + '<', 3 + 's', 3 + '>');
    }

    @Test
    void withoutSpacePrefixTextIsTakenAsIs() throws IOException {
        Tokenizer tokenizer = load(vocabulary(-1f, -2f).put("tokenizer.ggml.add_space_prefix", GGUFTestWriter.BOOL, false));
        assertThat(tokenizer.encode("ab", false, false)).containsExactly(AB);
        assertThat(tokenizer.addsSpacePrefix()).isFalse();
        assertThat(tokenizer.decode(new int[] {SPACE_A})).isEqualTo(" a");
    }

    @Test
    void bosAndEosComeFromTheMetadata() throws IOException {
        Tokenizer tokenizer = load(vocabulary(-1f, -2f)
                .putUInt32("tokenizer.ggml.bos_token_id", 2)
                .putUInt32("tokenizer.ggml.eos_token_id", 1)
                .put("tokenizer.ggml.add_bos_token", GGUFTestWriter.BOOL, false));
        assertThat(tokenizer.bosToken()).isEqualTo(2);
        assertThat(tokenizer.eosToken()).isEqualTo(1);
        assertThat(tokenizer.addsBosByDefault()).isFalse();
        assertThat(tokenizer.encode("a", true, false)).containsExactly(2, SPACE_A);
    }

    @Test
    void reportsUnsupportedOrBrokenVocabularies() {
        assertThatThrownBy(() -> load(vocabulary("bert", -1f, -2f)))
                .isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("unsupported tokenizer model 'bert'");
        assertThatThrownBy(() -> load(vocabulary(-1f, -2f).putUInt32("tokenizer.ggml.eos_token_id", 9999)))
                .isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("tokenizer.ggml.eos_token_id = 9999 is outside the vocabulary of 265 tokens");
        assertThatThrownBy(() -> load(new GGUFTestWriter()
                .putString("tokenizer.ggml.model", "llama")
                .putArray("tokenizer.ggml.tokens", GGUFTestWriter.STRING, List.of("<unk>", "<s>", "</s>"))
                .putArray("tokenizer.ggml.scores", GGUFTestWriter.FLOAT32, List.of(0f))))
                .isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("tokenizer.ggml.scores has 1 entries for 3 tokens");
        assertThatThrownBy(() -> load(new GGUFTestWriter()
                .putString("tokenizer.ggml.model", "gpt2")
                .putArray("tokenizer.ggml.tokens", GGUFTestWriter.STRING, List.of("a", "b"))
                .putArray("tokenizer.ggml.merges", GGUFTestWriter.STRING, List.of("a b"))))
                .isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("without tokenizer.ggml.pre");
        assertThatThrownBy(() -> load(new GGUFTestWriter()
                .putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", "llama-bpe")
                .putArray("tokenizer.ggml.tokens", GGUFTestWriter.STRING, List.of("a", "b"))
                .putArray("tokenizer.ggml.merges", GGUFTestWriter.STRING, List.of("a b"))))
                .isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("has no token for byte 0x00");
        assertThatThrownBy(() -> load(new GGUFTestWriter().putString("tokenizer.ggml.model", "llama")))
                .isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("tokenizer.ggml.tokens");
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() throws IOException {
        Tokenizer tokenizer = load(vocabulary(-1f, -2f));
        assertThatThrownBy(() -> tokenizer.tokenBytes(265))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token id 265 is outside the vocabulary of 265 tokens");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {A, -1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id -1");
        assertThatThrownBy(() -> tokenizer.encode(null, false, false))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("text to encode is null");
    }

    @Test
    void rejectsAFileThatIsNotTiktoken() {
        TokenizerTestData.assumePresent(TokenizerTestData.TOK512);
        assertThatThrownBy(() -> Tokenizers.fromTiktoken(TokenizerTestData.TOK512))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tok512.bin");
    }
}
